/**
 * Scenario 7: cold start, process start to the first 200 from `GET /<name>/health` (which also
 * reaches the database), for each function as it is today, against a bare Hono app.
 */
import { addProfile, type BenchContext, ratioRow } from "../lib/context.ts";
import { profileUnderLoad } from "../lib/cpuprof.ts";
import { spawnDeno, waitFor200 } from "../lib/procs.ts";
import { repeat } from "../lib/stats.ts";
import { freePort } from "../../scripts/lib/cluster.ts";
import { FUNCTION_NAMES } from "../../scripts/lib/functions.ts";

async function startTime(
  ctx: BenchContext,
  script: string,
  path: string,
): Promise<number> {
  const port = freePort();
  const started = performance.now();
  const child = spawnDeno(script, { ...ctx.stack.env, PORT: String(port) });
  try {
    return await waitFor200(`http://127.0.0.1:${port}${path}`, started);
  } finally {
    await child.stop();
  }
}

/** Runs scenario 7. */
export async function coldStart(ctx: BenchContext): Promise<void> {
  const s = "7. cold start";
  ctx.log(s);
  // More runs than elsewhere: one start is short and noisy.
  const runs = ctx.opts.quick ? ctx.opts.runs : Math.max(ctx.opts.runs, 5);
  const bare = await repeat(runs, async () => ({
    ms: await startTime(ctx, "bench/servers/hono_bare.ts", "/bare/health"),
  }));
  let missed: string | undefined;
  for (const name of FUNCTION_NAMES) {
    const fn = await repeat(runs, async () => ({
      ms: await startTime(ctx, `functions/${name}/index.ts`, `/${name}/health`),
    }));
    const row = ratioRow(ctx, {
      scenario: s,
      metric: `${name}: start to first 200`,
      unit: "ms",
      value: fn.ms,
      anchor: "bare Hono app",
      anchorValue: bare.ms,
      maxRatio: 1.5,
    });
    if (row.meets_target === false) missed ??= name;
  }
  if (missed) {
    addProfile(ctx, s, [
      `${missed}: V8 CPU profile from process start to the first 200 of /health:`,
      ...await profileUnderLoad({
        name: missed,
        env: ctx.stack.env,
        connections: 1,
        durationS: 0,
        cpu: ctx.opts.cpu,
      }),
    ]);
  }
}
