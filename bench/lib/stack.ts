/**
 * The benchmark's own stack, built from the same parts as `npm test` (scripts/lib): a fresh
 * cluster on a free port, the migrated database, the simulators with zero latency, each
 * function as its own Deno process, and the gateway. Nothing of the dev stack is touched.
 */
import { join } from "node:path";
import { freePort, REPO_ROOT, startCluster } from "../../scripts/lib/cluster.ts";
import { prepareDatabase } from "../../scripts/lib/database.ts";
import { startFunctions } from "../../scripts/lib/functions.ts";
import { startGateway } from "../../scripts/lib/gateway.ts";
import { startSimulators } from "../../scripts/lib/simulators.ts";
import {
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  LOCAL_SERVICE_ROLE_KEY,
} from "../../scripts/lib/local_keys.ts";

/** A running bench stack. */
export interface BenchStack {
  dbUrl: string;
  adminUrl: string;
  gatewayUrl: string;
  /** Env the function processes run with (also what worker processes need). */
  env: Record<string, string>;
  functionPorts: Record<string, number>;
  /** Each function's inspector (memory sampling: lib/isolate_memory.ts). */
  inspectorPorts: Record<string, number>;
  /** `sb_secret_...` accepted on service routes (dispatch). */
  secretKey: string;
  /** `<replicate sim>/_sim` */
  replicateControlUrl: string;
  logDir: string;
  stop(): Promise<void>;
}

/** Starts everything; `stop()` removes all of it, data folder included. */
export async function startBenchStack(
  log: (line: string) => void,
): Promise<BenchStack> {
  // The simulators and the test fixtures read these from the process env.
  Deno.env.set("SIM_LATENCY_MS", "0");
  Deno.env.set("JWT_SECRET", LOCAL_JWT_SECRET);
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const fn of cleanups.reverse()) {
      await Promise.resolve().then(fn).catch((e) => console.error("cleanup:", e));
    }
  };
  try {
    log("stack: starting a private cluster");
    const cluster = await startCluster({
      name: `bench-${Deno.pid}`,
      port: freePort(),
      fresh: true,
      fast: true,
      // 6 function pools, 8 dispatcher processes, pgbench at 32 clients, graphile/pg-boss.
      maxConnections: 400,
    });
    cleanups.push(() => cluster.stop({ remove: true }));
    log("stack: migrating");
    await prepareDatabase({
      url: cluster.url,
      adminUrl: cluster.adminUrl,
      log: () => {},
    });

    const gatewayPort = freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const secretKey = `sb_secret_bench_${crypto.randomUUID()}`;
    const env: Record<string, string> = {
      ...Deno.env.toObject(),
      SUPABASE_DB_URL: cluster.url,
      SUPABASE_URL: gatewayUrl,
      JWT_SECRET: LOCAL_JWT_SECRET,
      SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: LOCAL_SERVICE_ROLE_KEY,
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: secretKey }),
      // One JSON line per request at info would be written through the bench process's pipes.
      LOG_LEVEL: "warn",
    };
    const stateDir = join(REPO_ROOT, ".local", `bench-state-${Deno.pid}`);
    cleanups.push(() => Deno.remove(stateDir, { recursive: true }).catch(() => {}));
    const sims = await startSimulators({
      dbUrl: cluster.url,
      jwtSecret: LOCAL_JWT_SECRET,
      gatewayUrl,
      stateDir,
      providers: "all",
      log: () => {},
    });
    cleanups.push(() => sims.stop());
    Object.assign(env, sims.env);
    for (
      const k of [
        "REPLICATE_BASE_URL",
        "SIM_OUTPUT_HOSTS",
        "REPLICATE_WEBHOOK_SECRET",
        // The prompt and chat fixtures put their providers on the OpenRouter simulator.
        "OPENROUTER_BASE_URL",
        "OPENROUTER_WEBHOOK_SECRET",
        "SIM_CONTROL_URL_OPENROUTER",
      ]
    ) {
      if (env[k]) Deno.env.set(k, env[k]);
    }
    log("stack: starting function processes");
    const logDir = join(REPO_ROOT, ".local", "bench-logs");
    const inspectorPorts: Record<string, number> = {};
    const fns = await startFunctions({
      env,
      output: { kind: "files", dir: logDir },
      // Only the Runtime domain is used (no debugger, no profiler): no effect on the code's speed.
      denoFlags: (
        name,
      ) => [`--inspect=127.0.0.1:${inspectorPorts[name] = freePort()}`],
    });
    cleanups.push(() => fns.stop());
    const gateway = startGateway({
      port: gatewayPort,
      functions: fns.ports,
      mounts: sims.mounts,
      retryAfterSeconds: fns.retryAfterSeconds,
    });
    cleanups.push(() => gateway.shutdown());
    return {
      dbUrl: cluster.url,
      adminUrl: cluster.adminUrl,
      gatewayUrl,
      env,
      functionPorts: fns.ports,
      inspectorPorts,
      secretKey,
      replicateControlUrl: env.SIM_CONTROL_URL_REPLICATE,
      logDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
