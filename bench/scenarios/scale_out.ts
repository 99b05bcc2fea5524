/**
 * Scenario 9: 1, 2, 4 and 8 dispatcher processes draining the same queued jobs at once (as
 * many function instances would), submitting to the simulator (which accepts and stays
 * silent). Throughput per count, and zero jobs submitted twice according to the simulator's
 * own submission log.
 */
import { type BenchContext, ratioRow } from "../lib/context.ts";
import { deleteJobs, insertQueuedJobs } from "../lib/fixtures.ts";
import { spawnDeno } from "../lib/procs.ts";
import { repeat } from "../lib/stats.ts";

interface Drained {
  claimed: number;
  submitted: number;
  rounds: number;
  ms: number;
}

async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (l: string) => void,
) {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (buf) onLine(buf);
}

/** Starts `count` dispatchers, releases them together, returns jobs/s and the submission check. */
async function drainWith(ctx: BenchContext, count: number, jobs: number) {
  const { fx, stack } = ctx;
  await deleteJobs(fx, fx.silentModel.id);
  const ids = new Set(await insertQueuedJobs(fx, fx.silentModel.id, jobs));
  await fetch(`${stack.replicateControlUrl}/reset`, { method: "POST" }).then((
    r,
  ) => r.body?.cancel());
  const children = Array.from(
    { length: count },
    () =>
      spawnDeno("bench/workers/dispatcher.ts", stack.env, {
        stdin: true,
        stdout: "piped",
      }),
  );
  const results: Drained[] = [];
  const ready: Promise<void>[] = [];
  const outputs = children.map((c) => {
    let signal!: () => void;
    ready.push(new Promise((r) => (signal = r)));
    return readLines(c.process.stdout, (line) => {
      if (line === "ready") signal();
      else if (line.startsWith("{")) results.push(JSON.parse(line));
    });
  });
  await Promise.all(ready);
  const started = performance.now();
  for (const c of children) {
    const w = c.process.stdin.getWriter();
    await w.write(new TextEncoder().encode("go\n"));
    await w.close();
  }
  await Promise.all(children.map((c) => c.process.status));
  const ms = performance.now() - started;
  await Promise.all(outputs);

  const subs = await (await fetch(`${stack.replicateControlUrl}/submissions`))
    .json() as {
      webhook: string | null;
      status: number;
    }[];
  const perJob = new Map<string, number>();
  for (const sub of subs) {
    const jobId = sub.webhook ? new URL(sub.webhook).searchParams.get("job_id") : null;
    if (jobId && ids.has(jobId)) {
      perJob.set(jobId, (perJob.get(jobId) ?? 0) + 1);
    }
  }
  const twice = [...perJob.values()].filter((n) => n > 1).length;
  const [{ processing }] = await fx.admin<{ processing: number }[]>`
    select count(*)::int as processing from public.jobs
    where api_model_id = ${fx.silentModel.id}::uuid and status = 'processing'`;
  await deleteJobs(fx, fx.silentModel.id);
  return {
    rate: results.reduce((n, r) => n + r.submitted, 0) / (ms / 1000),
    twice,
    submittedJobs: perJob.size,
    processing,
  };
}

/** Runs scenario 9. */
export async function scaleOut(ctx: BenchContext): Promise<void> {
  const { opts } = ctx;
  const s = "9. scale-out";
  const n = opts.scaleJobs;
  ctx.log(`${s} (${n} jobs per drain)`);
  const rates: Record<number, Awaited<ReturnType<typeof repeat<"rate">>>> = {};
  const problems: string[] = [];
  let twiceTotal = 0;
  for (const count of opts.scaleCounts) {
    ctx.log(`  ${count} dispatcher(s)`);
    rates[count] = await repeat(opts.runs, async (warmup) => {
      const r = await drainWith(
        ctx,
        count,
        warmup ? Math.max(500, Math.round(n / 10)) : n,
      );
      const jobs = warmup ? Math.max(500, Math.round(n / 10)) : n;
      twiceTotal += r.twice;
      if (r.twice > 0) {
        problems.push(`${count} dispatchers: ${r.twice} jobs submitted twice`);
      }
      if (r.submittedJobs !== jobs || r.processing !== jobs) {
        problems.push(
          `${count} dispatchers: ${r.submittedJobs}/${jobs} jobs submitted, ${r.processing} processing`,
        );
      }
      return { rate: r.rate };
    });
  }
  for (const count of opts.scaleCounts) {
    ratioRow(ctx, {
      scenario: s,
      metric: `${count} dispatcher process(es), jobs submitted/s`,
      unit: "jobs/s",
      value: rates[count].rate,
      anchor: count === opts.scaleCounts[0] ? undefined : `${opts.scaleCounts[0]} dispatcher`,
      anchorValue: count === opts.scaleCounts[0] ? undefined : rates[opts.scaleCounts[0]].rate,
    });
  }
  const ok = problems.length === 0;
  ctx.rows.push({
    scenario: s,
    metric: "jobs submitted twice (simulator's submission log, every run)",
    value: twiceTotal,
    unit: "jobs",
    anchor: null,
    anchor_value: null,
    ratio: null,
    target: "0, and every job submitted once",
    meets_target: ok,
    ...(ok ? {} : { note: problems.join("; ") }),
  });
  ctx.log(`  double submissions: ${ok ? "none" : problems.join("; ")}`);
}
