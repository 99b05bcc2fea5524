/**
 * The benchmark run behind `npm run bench` (scripts/bench.ts installs what it needs, then starts
 * this file as its own process): starts a private stack, runs every scenario of issue 6, writes
 * bench/results/latest.{json,md} and the enqueue chart, and removes everything it started.
 */
import { join } from "node:path";
import { FUNCTION_NAMES } from "../scripts/lib/functions.ts";
import { run } from "../scripts/lib/process.ts";
import { addProfile, type BenchContext, type BenchOptions, ratioRow } from "./lib/context.ts";
import { createFixtures } from "./lib/fixtures.ts";
import { BENCH_DIR, packageVersion } from "./lib/node.ts";
import { peakRssMb, pidOfFunction, resetPeakRss } from "./lib/procs.ts";
import { writeReport } from "./lib/report.ts";
import { startBenchStack } from "./lib/stack.ts";
import { sample } from "./lib/stats.ts";
import type { BenchReport } from "./lib/types.ts";
import { hasTaskset } from "./lib/wrk.ts";
import { sampleIsolates } from "./lib/isolate_memory.ts";
import { chatStream } from "./scenarios/chat_stream.ts";
import { coldStart } from "./scenarios/cold_start.ts";
import { dispatchDb } from "./scenarios/dispatch_db.ts";
import { enhanceLatency } from "./scenarios/enhance_latency.ts";
import { enqueue } from "./scenarios/enqueue.ts";
import { jobRead } from "./scenarios/job_read.ts";
import { metrics } from "./scenarios/metrics.ts";
import { openLoop } from "./scenarios/open_loop.ts";
import { pipeline } from "./scenarios/pipeline.ts";
import { scaleOut } from "./scenarios/scale_out.ts";
import { webhooks } from "./scenarios/webhooks.ts";
import { workspaceSave } from "./scenarios/workspace_save.ts";

type Scenario = {
  key: string;
  fn: (ctx: BenchContext) => Promise<void>;
  uses: string[];
};

// Order matters: scenarios that leave the simulator busy come before the one that resets it.
const SCENARIOS: Scenario[] = [
  { key: "read", fn: jobRead, uses: ["queue-job"] },
  { key: "enqueue", fn: enqueue, uses: ["queue-job", "provider-webhooks"] },
  { key: "pipeline", fn: pipeline, uses: ["queue-job", "provider-webhooks"] },
  // After 3b: its arrival rate is half the capacity 3b measured.
  { key: "latency", fn: openLoop, uses: ["queue-job", "provider-webhooks"] },
  { key: "webhooks", fn: webhooks, uses: ["provider-webhooks"] },
  { key: "dispatch", fn: dispatchDb, uses: [] },
  { key: "scale", fn: scaleOut, uses: [] },
  { key: "cold", fn: coldStart, uses: [] },
  { key: "chat", fn: chatStream, uses: ["playground-chat"] },
  { key: "enhance", fn: enhanceLatency, uses: ["enhance-prompt"] },
  { key: "workspace_save", fn: workspaceSave, uses: ["workspace-actions"] },
  // Last: it leaves two million jobs in the database.
  { key: "metrics", fn: metrics, uses: ["system-metrics"] },
];

/** Options from the command line: `--quick`, `--only=read,enqueue`. */
export function parseArgs(
  args: string[],
): { quick: boolean; only?: string[]; out?: string } {
  const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
  // A partial run (--only) can write elsewhere, leaving latest.* as the full run wrote them.
  const out = args.find((a) => a.startsWith("--out="))?.slice(6);
  return { quick: args.includes("--quick"), only, out };
}

async function versions(dbUrl: string): Promise<Record<string, string>> {
  const out = async (argv: string[]) =>
    (await run(argv, { allowFail: true })).stdout.trim().split("\n")[0];
  const pg = await run([
    "/usr/lib/postgresql/15/bin/psql",
    dbUrl,
    "-Atc",
    "show server_version",
  ], {
    allowFail: true,
  });
  return {
    deno: Deno.version.deno,
    postgres: pg.stdout.trim(),
    node: await out(["node", "--version"]),
    wrk: (await run(["wrk", "--version"], { allowFail: true })).stdout.split(
      " ",
    )[1] ?? "?",
    "graphile-worker": await packageVersion("graphile-worker"),
    "pg-boss": await packageVersion("pg-boss"),
  };
}

async function machine() {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  return {
    cores: navigator.hardwareConcurrency,
    memory_mb: Math.round(Deno.systemMemoryInfo().total / 1024 / 1024),
    cpu_model: cpuinfo.match(/model name\s*:\s*(.+)/)?.[1]?.trim() ?? "unknown",
    os: `${Deno.build.os} ${Deno.osRelease()}`,
  };
}

/** Runs the benchmark; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  const { quick, only, out } = parseArgs(args);
  const began = Date.now();
  const cores = navigator.hardwareConcurrency;
  const taskset = await hasTaskset();
  const opts: BenchOptions = {
    quick,
    // A quick run is a smoke check: one measured run after the warm-up.
    runs: quick ? 1 : 3,
    durationS: quick ? 1 : 8,
    drainJobs: quick ? 500 : 20_000,
    scaleJobs: quick ? 500 : 10_000,
    scaleCounts: [1, 2, 4, 8],
    cpu: taskset ? cores - 1 : null,
  };
  const log = (line: string) => console.log(line);
  const tmpDir = await Deno.makeTempDir({ prefix: "genbackend-bench-" });
  const stack = await startBenchStack(log);
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    await Deno.remove(tmpDir, { recursive: true }).catch(() => {});
  };
  const onSignal = () => {
    console.error("interrupted: stopping the bench stack");
    stopAll().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    const fx = await createFixtures(stack.adminUrl, 200);
    const ctx: BenchContext = {
      opts,
      stack,
      fx,
      tmpDir,
      log,
      rows: [],
      curve: [],
      profiles: {},
      measured: {},
    };
    const pids: Record<string, number | undefined> = {};
    for (const name of FUNCTION_NAMES) {
      pids[name] = await pidOfFunction(name, stack.functionPorts[name]);
    }
    // Peak RSS per function and the scenario it was reached in; the same for the isolate's
    // heap + external memory, which is what the platform's limit counts.
    const peaks: Record<string, { mb: number; during: string }> = {};
    const isolatePeaks: Record<
      string,
      { mb: number; heapMb: number; during: string }
    > = {};
    // Every scenario's peaks too: the targets hold in every scenario, not only at the maximum.
    const byScenario: { during: string; mb: Record<string, [number, number]> }[] = [];
    const isolates = await sampleIsolates(stack.inspectorPorts);
    const notePeaks = async (during: string) => {
      const iso = isolates.takePeaks();
      const row: Record<string, [number, number]> = {};
      byScenario.push({ during, mb: row });
      for (const name of FUNCTION_NAMES) {
        const pid = pids[name];
        if (!pid) continue;
        const mb = await peakRssMb(pid).catch(() => 0);
        row[name] = [mb, iso[name]?.heapPlusExternalMb ?? NaN];
        if (!peaks[name] || mb > peaks[name].mb) peaks[name] = { mb, during };
        await resetPeakRss(pid);
        const i = iso[name];
        if (
          i &&
          (!isolatePeaks[name] || i.heapPlusExternalMb > isolatePeaks[name].mb)
        ) {
          isolatePeaks[name] = {
            mb: i.heapPlusExternalMb,
            heapMb: i.heapUsedMb,
            during,
          };
        }
      }
    };
    await notePeaks("start-up");

    for (const sc of SCENARIOS) {
      if (only && !only.includes(sc.key)) continue;
      const t = Date.now();
      try {
        await sc.fn(ctx);
      } catch (err) {
        log(
          `  scenario ${sc.key} failed: ${err instanceof Error ? err.stack : err}`,
        );
        ctx.rows.push({
          scenario: sc.key,
          metric: "scenario run",
          value: null,
          unit: "",
          anchor: null,
          anchor_value: null,
          ratio: null,
          target: null,
          meets_target: false,
          skipped: `failed: ${err instanceof Error ? err.message.split("\n")[0] : err}`,
        });
      }
      await notePeaks(sc.key);
      log(`  (${Math.round((Date.now() - t) / 1000)} s)`);
    }

    for (const name of FUNCTION_NAMES) {
      const p = peaks[name];
      if (!p) continue;
      ratioRow(ctx, {
        scenario: "8. memory",
        metric: `${name}: peak RSS (reached during ${p.during})`,
        unit: "MB",
        value: sample([p.mb]),
        maxValue: 150,
      });
    }
    for (const name of FUNCTION_NAMES) {
      const p = isolatePeaks[name];
      if (!p) continue;
      ratioRow(ctx, {
        scenario: "8. memory",
        metric:
          `${name}: peak V8 heap + external, what the platform's limit counts (during ${p.during}; heap alone ${
            Math.round(p.heapMb)
          } MB)`,
        unit: "MB",
        value: sample([p.mb]),
        maxValue: 100,
      });
    }
    isolates.stop();
    addProfile(ctx, "8. memory", [
      "Peak RSS / peak V8 heap + external (MB) of each function process, per scenario:",
      `${"".padEnd(12)}${FUNCTION_NAMES.map((n) => n.padStart(20)).join("")}`,
      ...byScenario.map(({ during, mb }) =>
        `${during.padEnd(12)}${
          FUNCTION_NAMES.map((n) =>
            (mb[n]
              ? `${Math.round(mb[n][0])} / ${
                Number.isFinite(mb[n][1]) ? Math.round(mb[n][1]) : "-"
              }`
              : "-").padStart(20)
          ).join("")
        }`
      ),
    ]);

    const missed = ctx.rows.filter((r) => r.meets_target === false);
    const met = ctx.rows.filter((r) => r.meets_target === true);
    // The count; report.ts lists every target row with its anchor and ratio under it.
    const summary = [`${met.length} targets met, ${missed.length} not met.`];
    const report: BenchReport = {
      date: new Date().toISOString(),
      quick,
      duration_seconds: Math.round((Date.now() - began) / 1000),
      machine: await machine(),
      versions: await versions(stack.dbUrl),
      load_generator: `wrk (1 thread) and pgbench (-M prepared)${
        opts.cpu === null
          ? ", not pinned (no taskset)"
          : `, both pinned to CPU ${opts.cpu} with taskset`
      }; servers, database and simulators unpinned on all ${cores} cores`,
      settings: {
        ...opts,
        function_env: {
          LOG_LEVEL: "warn",
          DB_POOL_MAX: "4 (default)",
          SIM_LATENCY_MS: "0",
        },
        users: fx.users.length,
        node_anchors: "Node 20 (machine's) with graphile-worker 0.16.x and pg-boss 10",
      },
      results: ctx.rows,
      curve: ctx.curve,
      profiles: ctx.profiles,
    };
    const dir = out ?? join(BENCH_DIR, "results");
    await writeReport(dir, report, summary);
    log(
      `\nwrote ${dir}/latest.md and latest.json (${report.duration_seconds} s)`,
    );
    await fx.close();
    return 0;
  } finally {
    await stopAll();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
