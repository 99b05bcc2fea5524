/**
 * `npm run dev [-- --reset]`: the whole local stack. A private PostgreSQL 15 on 54322 (or
 * SUPABASE_DB_URL's database) with the Supabase bootstrap, migrations and seed; every function
 * as its own process behind a gateway on 127.0.0.1:54321. Ctrl-C stops all of it.
 */
import { join } from "node:path";
import { startCluster, stateRoot } from "./lib/cluster.ts";
import { bounded } from "./lib/process.ts";
import { startScheduler } from "./lib/scheduler.ts";
import { startSimulators } from "./lib/simulators.ts";
import { prepareDatabase } from "./lib/database.ts";
import { takeDevLock } from "./lib/dev_lock.ts";
import { FUNCTION_NAMES, startFunctions } from "./lib/functions.ts";
import { startGateway } from "./lib/gateway.ts";
import { parseCorsOrigins } from "../shared/http/cors.ts";
import {
  DEMO_ADMIN_ID,
  DEMO_USER_ID,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  LOCAL_SERVICE_ROLE_KEY,
  mintUserJwt,
} from "./lib/local_keys.ts";

const API_PORT = 54321;
const DB_PORT = 54322;
const reset = Deno.args.includes("--reset");

const lock = await takeDevLock();
if ("heldBy" in lock) {
  console.error(`npm run dev is already running (pid ${lock.heldBy}); stop it with Ctrl-C first.`);
  Deno.exit(1);
}

const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping…");
  for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((e) => console.error(e));
  Deno.exit(code);
}
Deno.addSignalListener("SIGINT", () => shutdown(0));
Deno.addSignalListener("SIGTERM", () => shutdown(0));

try {
  const external = Deno.env.get("SUPABASE_DB_URL");
  let dbUrl: string;
  if (external) {
    if (reset) {
      console.warn("--reset only recreates the local cluster; SUPABASE_DB_URL is left as it is");
    }
    dbUrl = external;
    await prepareDatabase({ url: dbUrl, seed: true });
  } else {
    const cluster = await startCluster({ name: "dev", port: DB_PORT, fresh: reset });
    cleanups.push(() => cluster.stop());
    dbUrl = cluster.url;
    await prepareDatabase({ url: cluster.url, adminUrl: cluster.adminUrl, seed: true });
  }

  const apiUrl = `http://127.0.0.1:${API_PORT}`;
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    SUPABASE_DB_URL: dbUrl,
    SUPABASE_URL: apiUrl,
    JWT_SECRET: Deno.env.get("JWT_SECRET") ?? LOCAL_JWT_SECRET,
    SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: LOCAL_SERVICE_ROLE_KEY,
  };
  const sims = await startSimulators({
    dbUrl,
    jwtSecret: env.JWT_SECRET,
    gatewayUrl: apiUrl,
    stateDir: join(stateRoot(), "dev-state"),
    providers: "missing-secrets",
    ephemeralStorage: false,
    log: (line) => console.log(line),
  });
  cleanups.push(() => bounded(sims.stop(), 3000));
  Object.assign(env, sims.env);
  const fns = await startFunctions({ env, output: { kind: "terminal" } });
  const gateway = startGateway({
    port: API_PORT,
    functions: fns.ports,
    mounts: sims.mounts,
    retryAfterSeconds: fns.retryAfterSeconds,
    corsOrigins: parseCorsOrigins(env.CORS_ALLOWED_ORIGINS ?? "*"),
  });
  // Functions stop first (cleanups run in reverse), so the gateway has no upstream to wait on.
  cleanups.push(() => bounded(gateway.shutdown(), 2000));
  cleanups.push(() => fns.stop());
  const stopScheduler = startScheduler({
    apiUrl,
    serviceKey: LOCAL_SERVICE_ROLE_KEY,
    log: (l) => console.log(l),
  });
  cleanups.push(stopScheduler);

  const userJwt = await mintUserJwt(DEMO_USER_ID, {
    email: "demo@example.com",
    ttlSeconds: 7 * 86400,
  });
  const adminJwt = await mintUserJwt(DEMO_ADMIN_ID, {
    email: "admin@example.com",
    ttlSeconds: 7 * 86400,
  });
  console.log(`
Local stack is up.
  API (functions)  ${apiUrl}/functions/v1/<name>
  Database         ${dbUrl}
  JWT secret       ${LOCAL_JWT_SECRET}
  anon key         ${LOCAL_ANON_KEY}
  service_role key ${LOCAL_SERVICE_ROLE_KEY}

  demo user JWT (demo@example.com, 7 days):
    ${userJwt}
  admin JWT (admin@example.com, 7 days):
    ${adminJwt}

Try:
${
    FUNCTION_NAMES.map((name) =>
      `  curl -s ${apiUrl}/functions/v1/${name}/health -H "Authorization: Bearer $USER_JWT"`
    ).join("\n")
  }
  (export USER_JWT=<demo user JWT above>; docs at ${apiUrl}/functions/v1/<name>/docs)

Ctrl-C stops everything.`);
  await new Promise(() => {});
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await shutdown(1);
}
