/**
 * Scenario 5: what playground-chat adds to a streamed reply over a direct connection to the
 * OpenRouter simulator — time to the first content chunk, and the delay per chunk — and the
 * function's isolate memory (V8 heap + external) under 50 concurrent streams.
 */
import { type BenchContext, directUrl, ratioRow } from "../lib/context.ts";
import { sampleIsolates } from "../lib/isolate_memory.ts";
import { percentile, repeat } from "../lib/stats.ts";
import { addChatTemplate, createChatSetup, removeChatTemplates } from "../../tests/support/chat.ts";
import { createFundedUser } from "../../tests/support/jobs.ts";

const WORDS = 40;
/** Simulator pacing: chunks every latency/5 ms after two processing comments. */
const LATENCY_MS = 50;
/**
 * Turns run before the measured ones, so what is measured is a warm function (its code compiled
 * by V8 and its caches filled), as the other latency scenarios measure, not its first requests.
 */
const WARMUP_TURNS = 30;

/** Arrival times (ms after the request) of each content chunk of one streamed answer. */
async function chunkTimes(
  url: string,
  body: string,
  headers: Record<string, string>,
  isContent: (block: string) => boolean,
): Promise<number[]> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  if (res.status !== 200) {
    throw new Error(`${url}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  const times: number[] = [];
  const decoder = new TextDecoder();
  let buf = "";
  for await (const bytes of res.body!) {
    const now = performance.now() - t0;
    buf += decoder.decode(bytes, { stream: true });
    const blocks = buf.split("\n\n");
    buf = blocks.pop() ?? "";
    for (const b of blocks) {
      if (isContent(b)) times.push(now);
      else if (b.startsWith("event: error")) throw new Error(`${url}: ${b}`);
    }
  }
  return times;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const gaps = (t: number[]) => t.slice(1).map((x, i) => x - t[i]);

/** Runs scenario 5. */
export async function chatStream(ctx: BenchContext): Promise<void> {
  const s = "5. playground-chat streaming";
  ctx.log(s);
  const sql = ctx.fx.admin;
  const setup = await createChatSetup(sql, {
    contextLength: 32_000,
    maxOutput: 512,
  });
  const user = await createFundedUser(sql, 0);
  const [{ id }] = await sql`insert into public.conversations (user_id, title)
    values (${user.id}, 'bench') returning id`;
  const [{ config }] = await sql`select config from public.system_config where id = 1`;
  // The per-user budget would stop one benchmark user long before the load does.
  await sql`update public.system_config set config = config || '{"chat_requests_per_minute": 0}'
    where id = 1`;
  const reply = Array.from({ length: WORDS }, (_, i) => `w${i}`).join(" ");
  const directive = `[[sim:${JSON.stringify({ reply, latency_ms: LATENCY_MS })}]]`;
  const fnUrl = `${directUrl(ctx, "playground-chat")}/playground-chat/conversations/${id}/messages`;
  const fnBody = JSON.stringify({
    content: `hello ${directive}`,
    model_id: setup.model.id,
  });
  const simUrl = `${ctx.stack.env.OPENROUTER_BASE_URL}/chat/completions`;
  const simBody = JSON.stringify({
    model: setup.model.model_key,
    stream: true,
    messages: [{ role: "user", content: `hello ${directive}` }],
  });
  const auth = { authorization: `Bearer ${user.jwt}` };
  const simAuth = {
    authorization: `Bearer ${ctx.stack.env.OPENROUTER_API_KEY}`,
  };
  const isDelta = (b: string) => b.includes("event: message.delta");
  const isSimContent = (b: string) => b.startsWith("data: {") && /"content":"[^"]/.test(b);
  const requests = ctx.opts.quick ? 10 : 40;
  // A configured platform has a template for plain chat (the seed's); without one, every turn
  // would ask the database whether one was added since (prompt_catalog.ts).
  await addChatTemplate(sql, setup, {
    useCase: "chat",
    contentMode: "sfw",
    text: "You are a helpful, friendly assistant.",
  });
  try {
    const warmBody = JSON.stringify({
      content: `warm up [[sim:${JSON.stringify({ reply: "ok then", latency_ms: 0 })}]]`,
      model_id: setup.model.id,
    });
    for (let i = 0; i < WARMUP_TURNS; i++) await chunkTimes(fnUrl, warmBody, auth, isDelta);
    const r = await repeat(ctx.opts.runs, async () => {
      const ttfbAdded: number[] = [];
      const chunkAdded: number[] = [];
      for (let i = 0; i < requests; i++) {
        const direct = await chunkTimes(simUrl, simBody, simAuth, isSimContent);
        const via = await chunkTimes(fnUrl, fnBody, auth, isDelta);
        if (direct.length < 2 || via.length < 2) {
          ctx.log(`  a stream had too few chunks (direct ${direct.length}, via ${via.length})`);
          continue;
        }
        ttfbAdded.push(via[0] - direct[0]);
        chunkAdded.push(mean(gaps(via)) - mean(gaps(direct)));
      }
      return {
        ttfb: percentile(ttfbAdded, 50),
        chunk: percentile(chunkAdded, 50),
      };
    });
    ratioRow(ctx, {
      scenario: s,
      metric: "time to first chunk added over the simulator, p50 @1",
      unit: "ms",
      value: r.ttfb,
      note: "over the same stream straight from the simulator",
      maxValue: 5,
    });
    ratioRow(ctx, {
      scenario: s,
      metric: "delay added per chunk, p50 @1",
      unit: "ms",
      value: r.chunk,
      note: "over the same stream straight from the simulator",
      maxValue: 1,
    });

    // 50 streams at once, long replies: the isolate must not hold what it forwards.
    const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
    const longBody = JSON.stringify({
      content: `go [[sim:${JSON.stringify({ reply: long, latency_ms: 20 })}]]`,
      model_id: setup.model.id,
    });
    const sampler = await sampleIsolates(
      { "playground-chat": ctx.stack.inspectorPorts["playground-chat"] },
      100,
    );
    try {
      sampler.takePeaks();
      await Promise.all(
        Array.from(
          { length: 50 },
          () => chunkTimes(fnUrl, longBody, auth, isDelta),
        ),
      );
      const peak = sampler.takePeaks()["playground-chat"]?.heapPlusExternalMb ??
        NaN;
      ratioRow(ctx, {
        scenario: s,
        metric: "isolate heap + external under 50 concurrent streams",
        unit: "MB",
        value: { median: peak, min: peak, max: peak, runs: [peak] },
        maxValue: 100,
      });
    } finally {
      sampler.stop();
    }
  } finally {
    await removeChatTemplates(sql, setup);
    await sql`update public.system_config set config = ${sql.json(config)} where id = 1`;
    await sql`delete from auth.users where id = ${user.id}`;
    await sql`delete from public.api_providers where id = ${setup.provider.id}`;
  }
}
