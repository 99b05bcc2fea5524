/**
 * Scenario 3c: the latency a user feels, enqueue to completed, below saturation. Jobs arrive at
 * a fixed rate, half the pipeline capacity 3b measured (open loop: bench/workers/open_loop.ts),
 * direct to queue-job; the zero-latency Replicate simulator calls provider-webhooks back through
 * the gateway, outputs are downloaded and stored. p50/p99 from the client's send time to the
 * job's completed_at, and where that time goes, from timestamps the database and the simulator
 * keep: the job row (created_at), the simulator's create call, the link (started_at, written by
 * the submitted transition), the answer to the `start` webhook, and completed_at.
 */
import { addProfile, type BenchContext, directUrl, drain, ratioRow } from "../lib/context.ts";
import { spawnDeno } from "../lib/procs.ts";
import { percentile, sample } from "../lib/stats.ts";
import { enqueueRequests } from "./enqueue.ts";
import { JOB_STATUS } from "../../shared/vocabulary.ts";

interface Sent {
  dueMs: number;
  sentMs: number;
  answeredMs: number;
  status: number;
  jobId: string | null;
}

/** The timeline of one job, epoch ms. */
interface Timeline {
  sent: number;
  answered: number;
  created: number;
  atProvider: number;
  linked: number;
  startAnswered: number;
  completed: number;
}

/** Consecutive segments of the timeline, in the order a job passes them. */
const SEGMENTS: { name: string; from: keyof Timeline; to: keyof Timeline }[] = [
  {
    name: "request sent → enqueue answered (JWT, charge, audit row)",
    from: "sent",
    to: "answered",
  },
  {
    name: "job row created → provider's create call (kick coalescing, claim, model, input)",
    from: "created",
    to: "atProvider",
  },
  {
    name: "provider's create call → link written (create answer, submitted transition)",
    from: "atProvider",
    to: "linked",
  },
  {
    name: "link written → `start` webhook answered (its wait for the link)",
    from: "linked",
    to: "startAnswered",
  },
  {
    name:
      "`start` answered → completed_at (`completed` webhook: claim, download, upload, complete)",
    from: "startAnswered",
    to: "completed",
  },
];

const ms = (iso: string) => Date.parse(iso);

/** Runs the generator once at `ratePerS` for `durationS`; returns what each request did. */
async function generate(
  ctx: BenchContext,
  ratePerS: number,
  durationS: number,
): Promise<Sent[]> {
  const { fx } = ctx;
  const child = spawnDeno("bench/workers/open_loop.ts", {}, {
    stdin: true,
    stdout: "piped",
    // Pinned like wrk, to the core the load generators share.
    cpu: ctx.opts.cpu,
  });
  const writer = child.process.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({
    baseUrl: directUrl(ctx, "queue-job"),
    requests: enqueueRequests(fx.users.slice(0, 64), fx.fastModel.id, ""),
    ratePerS,
    durationS,
  })));
  await writer.close();
  const out = await child.process.output();
  const line = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ??
    "";
  return (JSON.parse(line) as { sent: Sent[] }).sent;
}

/** Joins the generator's record with the database's and the simulator's timestamps. */
async function timelines(ctx: BenchContext, sent: Sent[]): Promise<{
  lines: Timeline[];
  notCompleted: number;
}> {
  const { fx, stack } = ctx;
  const ids = sent.map((s) => s.jobId).filter((x): x is string => x !== null);
  const rows = await fx.admin<
    {
      id: string;
      status: string;
      created: number;
      linked: number | null;
      done: number | null;
    }[]
  >`
    select id, status, extract(epoch from created_at) * 1000 as created,
      extract(epoch from started_at) * 1000 as linked,
      extract(epoch from completed_at) * 1000 as done
    from public.jobs where id = any(${ids}::uuid[])`;
  const subs = await (await fetch(`${stack.replicateControlUrl}/submissions`))
    .json() as {
      at: string;
      webhook: string | null;
      status: number;
    }[];
  const attempts = await (await fetch(`${stack.replicateControlUrl}/webhooks`))
    .json() as {
      event: string;
      url: string;
      status: number;
      at: string;
    }[];
  const jobOf = (url: string | null) => url ? new URL(url).searchParams.get("job_id") : null;
  const atProvider = new Map<string, number>();
  for (const s of subs) {
    const id = jobOf(s.webhook);
    if (id && s.status === 201 && !atProvider.has(id)) {
      atProvider.set(id, ms(s.at));
    }
  }
  const startAnswered = new Map<string, number>();
  for (const a of attempts) {
    const id = jobOf(a.url);
    if (id && a.event === "start" && a.status >= 200 && a.status < 300) {
      startAnswered.set(
        id,
        Math.min(startAnswered.get(id) ?? Infinity, ms(a.at)),
      );
    }
  }
  const bySent = new Map(sent.filter((s) => s.jobId).map((s) => [s.jobId!, s]));
  const lines: Timeline[] = [];
  let notCompleted = 0;
  for (const r of rows) {
    const s = bySent.get(r.id)!;
    if (
      r.status !== JOB_STATUS.completed || r.done === null || r.linked === null
    ) {
      notCompleted++;
      continue;
    }
    lines.push({
      sent: s.sentMs,
      answered: s.answeredMs,
      created: Number(r.created),
      atProvider: atProvider.get(r.id) ?? NaN,
      linked: Number(r.linked),
      startAnswered: startAnswered.get(r.id) ?? NaN,
      completed: Number(r.done),
    });
  }
  return { lines, notCompleted };
}

const fmt = (n: number) => Number.isFinite(n) ? n.toFixed(1).padStart(8) : "       -";

/** Runs scenario 3c. */
export async function openLoop(ctx: BenchContext): Promise<void> {
  const { fx, opts, stack } = ctx;
  const s = "3c. enqueue to completed, open loop";
  const capacity = ctx.measured.pipelineJobsPerS;
  // Without 3b in this run (--only), a rate that the 2-core machine sustains with room to spare.
  const rate = capacity ? capacity / 2 : 20;
  const durationS = opts.quick ? 5 : 20;
  ctx.log(`${s} (${rate.toFixed(1)} jobs/s for ${durationS} s)`);
  const p50s: number[] = [];
  const p99s: number[] = [];
  const pooled: Timeline[] = [];
  let notCompleted = 0;
  let failedSends = 0;
  let lateSends = 0;
  let total = 0;
  for (let run = 0; run <= opts.runs; run++) {
    const warmup = run === 0;
    if (!await drain(ctx, fx.fastModel.id, 300_000)) {
      ctx.log("  warning: did not drain");
    }
    // Fresh simulator logs: only this run's submissions and deliveries are joined.
    await fetch(`${stack.replicateControlUrl}/reset`, { method: "POST" }).then((
      r,
    ) => r.body?.cancel());
    const sent = await generate(
      ctx,
      rate,
      warmup ? Math.max(2, durationS / 4) : durationS,
    );
    if (!await drain(ctx, fx.fastModel.id, 300_000)) {
      ctx.log("  warning: did not drain");
    }
    if (warmup) continue;
    const t = await timelines(ctx, sent);
    const totals = t.lines.map((l) => l.completed - l.sent);
    p50s.push(percentile(totals, 50));
    p99s.push(percentile(totals, 99));
    pooled.push(...t.lines);
    notCompleted += t.notCompleted;
    failedSends += sent.filter((x) => x.status !== 202).length;
    // The generator kept its schedule (open loop) when sends left within 5 ms of their time.
    lateSends += sent.filter((x) => x.sentMs - x.dueMs > 5).length;
    total += sent.length;
  }
  const note = `${total} jobs at ${rate.toFixed(1)}/s (${
    capacity ? `half of 3b's ${capacity.toFixed(1)} jobs/s` : "3b not run: fixed rate"
  }); ${notCompleted} not completed, ${failedSends} enqueues refused, ${lateSends} sends > 5 ms late`;
  ratioRow(ctx, {
    scenario: s,
    metric: `enqueue to completed p50, ${rate.toFixed(1)} jobs/s arriving (half of capacity)`,
    unit: "ms",
    value: sample(p50s),
    maxValue: 150,
    note,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "enqueue to completed p99, same load",
    unit: "ms",
    value: sample(p99s),
    maxValue: 500,
  });
  const table = [
    `Where the time goes (${pooled.length} completed jobs of the measured runs; ms per job,`,
    "each segment measured on its own, so the p50s need not add up to the total's):",
    "                                                                                          p50      p90      p99",
  ];
  for (const seg of SEGMENTS) {
    const d = pooled.map((l) => l[seg.to] - l[seg.from]).filter(
      Number.isFinite,
    );
    table.push(
      `  ${seg.name.padEnd(86)}${fmt(percentile(d, 50))} ${fmt(percentile(d, 90))} ${
        fmt(percentile(d, 99))
      }`,
    );
    ratioRow(ctx, {
      scenario: s,
      metric: `segment p50: ${seg.name}`,
      unit: "ms",
      value: sample([percentile(d, 50)]),
    });
  }
  const all = pooled.map((l) => l.completed - l.sent);
  table.push(
    `  ${"total: request sent → completed_at".padEnd(86)}${fmt(percentile(all, 50))} ${
      fmt(percentile(all, 90))
    } ${fmt(percentile(all, 99))}`,
  );
  addProfile(ctx, s, [note, ...table]);
}
