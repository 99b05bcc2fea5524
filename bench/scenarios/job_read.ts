/**
 * Scenario 1: `GET /queue-job/jobs/:id` (user JWT, RLS through asUser) at 32 clients, against
 * the minimal hand-written server's read (bench/servers/minimal.ts: the same JWT check, the
 * select under the same role and claims); at 1 client for the latency, and at 1 and 8 clients
 * through the dev gateway. pgbench selecting the same rows by primary key (with the role switch
 * and claims asUser sets, and bare), and raw Deno.serve, as further reference points.
 */
import { addProfile, type BenchContext, directUrl, ratioRow } from "../lib/context.ts";
import { profileUnderLoad } from "../lib/cpuprof.ts";
import { insertQueuedJobs } from "../lib/fixtures.ts";
import { jsonLit, lit, runPgbench, writeScripts } from "../lib/pgbench.ts";
import { freePort } from "../../scripts/lib/cluster.ts";
import { startMinimalServer } from "../lib/minimal_server.ts";
import { sample } from "../lib/stats.ts";
import { spawnDeno, waitFor200 } from "../lib/procs.ts";
import { repeat } from "../lib/stats.ts";
import { type PreparedRequest, runWrk, writeWrkScript } from "../lib/wrk.ts";

const CLIENTS = 32;

/** The claims asUser sets: the verified token's payload (role authenticated). */
export function jwtClaims(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part + "=".repeat((4 - part.length % 4) % 4)));
}

/** Runs scenario 1. */
export async function jobRead(ctx: BenchContext): Promise<void> {
  const { fx, opts } = ctx;
  ctx.log("1. job status read");
  const users = fx.users.slice(0, CLIENTS);
  const ids = await insertQueuedJobs(fx, fx.fastModel.id, users.length, users);
  // Queued but not due for a year: no dispatcher takes them, so they stay as a client polling
  // a fresh job sees them (no assets yet).
  await fx
    .admin`update public.jobs set next_attempt_at = now() + interval '1 year',
    deadline_at = now() + interval '1 year' where id = any(${ids}::uuid[])`;

  const requests = (prefix: string): PreparedRequest[] =>
    users.map((u, i) => ({
      method: "GET",
      path: `${prefix}/queue-job/jobs/${ids[i]}`,
      headers: { authorization: `Bearer ${u.jwt}` },
    }));
  const directScript = await writeWrkScript(ctx.tmpDir, requests(""));
  const gatewayScript = await writeWrkScript(
    ctx.tmpDir,
    requests("/functions/v1"),
  );
  const load = (baseUrl: string, script: string, clients = CLIENTS) => async (warmup: boolean) => {
    const r = await runWrk({
      baseUrl,
      script,
      connections: clients,
      durationS: warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS,
      cpu: opts.cpu,
    });
    if (r.non2xx > 0 && !warmup) {
      ctx.log(`  warning: ${r.non2xx} non-2xx answers`);
    }
    return { rps: r.rps, p50: r.p50Ms, p99: r.p99Ms };
  };

  const direct = await repeat(
    opts.runs,
    load(directUrl(ctx, "queue-job"), directScript),
  );
  const gateway = await repeat(
    opts.runs,
    load(ctx.stack.gatewayUrl, gatewayScript),
  );
  // The latency at one client, and the dev gateway's cost at 1 and 8.
  const direct1 = await repeat(opts.runs, load(directUrl(ctx, "queue-job"), directScript, 1));
  const gateway1 = await repeat(opts.runs, load(ctx.stack.gatewayUrl, gatewayScript, 1));
  const direct8 = await repeat(opts.runs, load(directUrl(ctx, "queue-job"), directScript, 8));
  const gateway8 = await repeat(opts.runs, load(ctx.stack.gatewayUrl, gatewayScript, 8));
  const minimal = await startMinimalServer(ctx);
  let minimal32, minimal1;
  try {
    minimal32 = await repeat(opts.runs, load(minimal.url, directScript));
    minimal1 = await repeat(opts.runs, load(minimal.url, directScript, 1));
  } finally {
    await minimal.stop();
  }

  const wrapped = await writeScripts(
    ctx.tmpDir,
    users.map((u, i) =>
      [
        "BEGIN;",
        `SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${
          jsonLit(jwtClaims(u.jwt))
        }, true);`,
        `SELECT * FROM public.jobs WHERE id = ${lit(ids[i])};`,
        "COMMIT;",
        "",
      ].join("\n")
    ),
  );
  const bare = await writeScripts(
    ctx.tmpDir,
    ids.map((id) => `SELECT * FROM public.jobs WHERE id = ${lit(id)};\n`),
  );
  const pg = (scripts: string[]) => async (warmup: boolean) => {
    const r = await runPgbench({
      url: ctx.stack.dbUrl,
      scripts,
      clients: CLIENTS,
      durationS: warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS,
      cpu: opts.cpu,
    });
    return { tps: r.tps };
  };
  const pgWrapped = await repeat(opts.runs, pg(wrapped));
  const pgBare = await repeat(opts.runs, pg(bare));

  const port = freePort();
  const hello = spawnDeno("bench/servers/hello.ts", { PORT: String(port) });
  let helloRps;
  try {
    await waitFor200(`http://127.0.0.1:${port}/`, performance.now());
    const script = await writeWrkScript(ctx.tmpDir, [{
      method: "GET",
      path: "/",
    }]);
    helloRps = await repeat(
      opts.runs,
      load(`http://127.0.0.1:${port}`, script),
    );
  } finally {
    await hello.stop();
  }

  // Diagnostic: the same function with a pool as large as pgbench's client count, to tell a
  // pool-bound figure (DB_POOL_MAX defaults to 4) from a CPU-bound one.
  const bigPort = freePort();
  const big = spawnDeno("functions/queue-job/index.ts", {
    ...ctx.stack.env,
    PORT: String(bigPort),
    DB_POOL_MAX: String(CLIENTS),
  });
  let bigPool;
  try {
    await waitFor200(
      `http://127.0.0.1:${bigPort}/queue-job/health`,
      performance.now(),
    );
    bigPool = await repeat(
      opts.runs,
      load(`http://127.0.0.1:${bigPort}`, directScript),
    );
  } finally {
    await big.stop();
  }

  // Diagnostic: the database work alone in a Deno process (postgres.js, pool 4, 32 callers), to
  // split the gap to pgbench between the driver and HTTP + auth + framework.
  const driverOnly = (mode: "scope" | "group" | "bare") =>
    repeat(opts.runs, async (warmup) => {
      const child = spawnDeno("bench/workers/scope_loop.ts", {
        ...ctx.stack.env,
        BENCH_MODE: mode,
        BENCH_SECONDS: String(
          warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS,
        ),
      }, { stdin: true, stdout: "piped" });
      const writer = child.process.stdin.getWriter();
      await writer.write(
        new TextEncoder().encode(
          JSON.stringify({ claims: users.map((u) => jwtClaims(u.jwt)), ids }),
        ),
      );
      await writer.close();
      const out = await child.process.output();
      const d = JSON.parse(
        new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!,
      );
      return { rate: d.ops / (d.ms / 1000) };
    });
  const scopeOnly = await driverOnly("scope");
  const groupOnly = await driverOnly("group");
  const bareOnly = await driverOnly("bare");

  const s = "1. job status read";
  const main = ratioRow(ctx, {
    scenario: s,
    metric: "GET /queue-job/jobs/:id req/s @32, direct",
    unit: "req/s",
    value: direct.rps,
    anchor: "minimal server's read (Deno.serve + postgres.js + jose) @32",
    anchorValue: minimal32.rps,
    minRatio: 0.8,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, vs pgbench",
    unit: "req/s",
    value: direct.rps,
    anchor: "pgbench select by pk + asUser role/claims @32",
    anchorValue: pgWrapped.tps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "GET /queue-job/jobs/:id p50 @1, direct",
    unit: "ms",
    value: direct1.p50,
    anchor: "minimal server's read p50 @1",
    anchorValue: minimal1.p50,
    maxValue: 1.5,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "dev gateway: p50 added @1 (gateway p50 minus direct p50)",
    unit: "ms",
    value: sample([gateway1.p50.median - direct1.p50.median]),
    anchor: "direct p50 @1",
    anchorValue: direct1.p50,
    maxValue: 0.3,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "dev gateway: req/s @8 through it",
    unit: "req/s",
    value: gateway8.rps,
    anchor: "direct @8",
    anchorValue: direct8.rps,
    minRatio: 0.8,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, p99 latency, direct",
    unit: "ms",
    value: direct.p99,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, direct, DB_POOL_MAX=32 instead of 4 (diagnostic)",
    unit: "req/s",
    value: bigPool.rps,
    anchor: "pgbench select by pk + asUser role/claims @32",
    anchorValue: pgWrapped.tps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, through the gateway",
    unit: "req/s",
    value: gateway.rps,
    anchor: "pgbench select by pk + asUser role/claims @32",
    anchorValue: pgWrapped.tps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, direct, vs the bare select",
    unit: "req/s",
    value: direct.rps,
    anchor: "pgbench bare select by pk @32",
    anchorValue: pgBare.tps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric:
      "the database work alone: one asUser scope per read in a Deno process, no HTTP (diagnostic)",
    unit: "ops/s",
    value: scopeOnly.rate,
    anchor: "pgbench select by pk + asUser role/claims @32",
    anchorValue: pgWrapped.tps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric:
      "the database work alone, reads group committed as the function sends them (diagnostic)",
    unit: "ops/s",
    value: groupOnly.rate,
    anchor: "pgbench select by pk + asUser role/claims @32",
    anchorValue: pgWrapped.tps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "the bare select alone in a Deno process, no HTTP (diagnostic)",
    unit: "ops/s",
    value: bareOnly.rate,
    anchor: "pgbench bare select by pk @32",
    anchorValue: pgBare.tps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, direct, vs the HTTP ceiling",
    unit: "req/s",
    value: direct.rps,
    anchor: "raw Deno.serve hello world @32",
    anchorValue: helloRps.rps,
  });
  try {
    if (main.meets_target === false) {
      addProfile(ctx, s, [
        "queue-job under the same load (32 clients, direct), V8 CPU profile (inspector):",
        ...await profileUnderLoad({
          name: "queue-job",
          env: ctx.stack.env,
          script: directScript,
          connections: CLIENTS,
          durationS: Math.max(3, opts.durationS),
          cpu: opts.cpu,
        }),
      ]);
    }
  } finally {
    // Deleted only now: the profile above reads them. They never finish, and later scenarios
    // wait for the model's queue to drain.
    await fx.admin`delete from public.jobs where id = any(${ids}::uuid[])`;
  }
}
