/**
 * `npm test`: every check on a stack of its own (own cluster, data folder and free ports, so it
 * runs beside `npm run dev`). Static checks, pgTAP with pg_prove, Supabase's advisors and
 * linter, the seed, a `redocly lint` of every function's OpenAPI document, then all Deno tests
 * against function processes behind a gateway.
 * Ends with one line `N passed, N failed` and a non-zero exit on any failure.
 */
import { join } from "node:path";
import { freePort, REPO_ROOT, startCluster } from "./lib/cluster.ts";
import { prepareDatabase, psql, SUPABASE_CLI } from "./lib/database.ts";
import { startFunctions } from "./lib/functions.ts";
import { startGateway } from "./lib/gateway.ts";
import { lintOpenApiDocuments } from "./lib/openapi_lint.ts";
import { parseCorsOrigins } from "../shared/http/cors.ts";
import { startSimulators } from "./lib/simulators.ts";
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY } from "./lib/local_keys.ts";
import { bounded, exists, run } from "./lib/process.ts";

// Never nest: a test run started from inside a test run would start stacks without end.
if (Deno.env.get("GENBACKEND_TEST_RUN")) {
  console.error("run_tests.ts is already running in this process tree");
  Deno.exit(2);
}

let passed = 0;
let failed = 0;
const failures: string[] = [];

function record(name: string, ok: boolean, output = "") {
  if (ok) passed++;
  else {
    failed++;
    failures.push(name);
    if (output.trim()) console.log(output.trimEnd());
  }
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
}

async function step(name: string, argv: string[], opts: { env?: Record<string, string> } = {}) {
  const res = await run(argv, { cwd: REPO_ROOT, allowFail: true, env: opts.env });
  record(name, res.code === 0, res.stdout + res.stderr);
  return res;
}

const deno = Deno.execPath();
const tsFiles = async () => {
  const out: string[] = [];
  for (const dir of ["functions", "shared", "scripts", "simulators", "tests"]) {
    for await (const e of walk(join(REPO_ROOT, dir))) if (e.endsWith(".ts")) out.push(e);
  }
  return out;
};
async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}

// --- static checks -------------------------------------------------------------------------
console.log("== static checks");
await step("deno fmt --check", [deno, "fmt", "--check"]);
await step("deno lint", [deno, "lint"]);
await step("deno check", [deno, "check", ...await tsFiles()]);
// Which folder may import which (DESIGN.md section 1). Known violations, listed in
// scripts/lib/boundary_allowlist.ts until the refactors that remove them land, are shown but pass.
const boundaries = await step("import boundaries", [
  deno,
  "run",
  "--allow-read",
  "scripts/check_boundaries.ts",
]);
if (boundaries.code === 0) {
  for (const line of boundaries.stdout.split("\n")) {
    if (line.startsWith("known, to be removed") || line.startsWith("stale")) {
      console.log(`     ${line}`);
    }
  }
}

// --- database ------------------------------------------------------------------------------
console.log("== database");
const cluster = await startCluster({
  name: `test-${Deno.pid}`,
  port: freePort(),
  fresh: true,
  fast: true,
});
const logDir = join(REPO_ROOT, ".local", "test-logs");
const cleanups: (() => Promise<void> | void)[] = [() => cluster.stop({ remove: true })];
try {
  await prepareDatabase({
    url: cluster.url,
    adminUrl: cluster.adminUrl,
    testExtensions: true,
    log: () => {},
  });
  await psql(cluster.url, { file: join(REPO_ROOT, "tests/db/support/helpers.sql") }, {
    quiet: true,
  });

  const pgtap = [];
  if (await exists(join(REPO_ROOT, "tests/db"))) {
    for await (const e of Deno.readDir(join(REPO_ROOT, "tests/db"))) {
      if (e.isFile && e.name.endsWith(".sql")) pgtap.push(join("tests/db", e.name));
    }
  }
  pgtap.sort();
  for (const file of pgtap) {
    await step(`pgTAP ${file}`, ["pg_prove", "--quiet", "--failures", "-d", cluster.url, file]);
  }

  const advisors = await run([
    SUPABASE_CLI,
    "db",
    "advisors",
    `--remote=${cluster.url}`,
    "--level",
    "warn",
    "--fail-on",
    "warn",
  ], {
    cwd: REPO_ROOT,
    allowFail: true,
  });
  const advisorsOut = advisors.stdout + advisors.stderr;
  record(
    "supabase db advisors: no WARN or ERROR",
    advisors.code === 0 && advisorsOut.includes("No issues found"),
    advisorsOut,
  );
  const lint = await run([
    SUPABASE_CLI,
    "db",
    "lint",
    `--remote=${cluster.url}`,
    "--level",
    "error",
    "--fail-on",
    "error",
  ], {
    cwd: REPO_ROOT,
    allowFail: true,
  });
  record("supabase db lint: no errors", lint.code === 0, lint.stdout + lint.stderr);

  // The seed must load (twice: `npm run dev` reloads it on every start) on the migrated schema,
  // but no test may depend on it, so it runs in a transaction that is rolled back.
  const seedScript = await Deno.makeTempFile({ suffix: ".sql" });
  const seedPath = join(REPO_ROOT, "seed.sql");
  await Deno.writeTextFile(seedScript, `begin;\n\\i '${seedPath}'\n\\i '${seedPath}'\nrollback;\n`);
  const seedOk = await psql(cluster.url, { file: seedScript }, { quiet: true })
    .then(() => ({ ok: true, out: "" }), (err) => ({ ok: false, out: String(err) }));
  await Deno.remove(seedScript);
  record("seed.sql loads twice on a migrated database", seedOk.ok, seedOk.out);

  // --- the function stack: OpenAPI documents, then Deno tests against it -------------------
  const gatewayPort = freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    SUPABASE_DB_URL: cluster.url,
    SUPABASE_URL: gatewayUrl,
    JWT_SECRET: LOCAL_JWT_SECRET,
    SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: LOCAL_SERVICE_ROLE_KEY,
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: `sb_secret_test_${crypto.randomUUID()}` }),
    // The Prometheus scraper's token (tests/e2e/system_metrics_test.ts presents it).
    METRICS_TOKEN: `metrics_test_${crypto.randomUUID()}`,
    LOG_LEVEL: "warn",
  };
  const stateDir = join(REPO_ROOT, ".local", `test-state-${Deno.pid}`);
  // Registered before the simulators' own stop, so it runs after it (cleanups run in reverse).
  cleanups.push(() => Deno.remove(stateDir, { recursive: true }).catch(() => {}));
  const sims = await startSimulators({
    dbUrl: cluster.url,
    jwtSecret: LOCAL_JWT_SECRET,
    gatewayUrl,
    stateDir,
    providers: "all",
    ephemeralStorage: true,
    log: () => {},
  });
  cleanups.push(() => bounded(sims.stop(), 3000));
  Object.assign(env, sims.env);
  const fns = await startFunctions({ env, output: { kind: "files", dir: logDir } });
  const gateway = startGateway({
    port: gatewayPort,
    functions: fns.ports,
    mounts: sims.mounts,
    retryAfterSeconds: fns.retryAfterSeconds,
    corsOrigins: parseCorsOrigins(env.CORS_ALLOWED_ORIGINS ?? "*"),
  });
  // Functions stop first (cleanups run in reverse), so the gateway has no upstream to wait on.
  cleanups.push(() => bounded(gateway.shutdown(), 2000));
  cleanups.push(() => fns.stop());

  console.log("== openapi documents");
  const names = Object.keys(fns.ports);
  const lintResult = await lintOpenApiDocuments(gatewayUrl, names);
  record(
    `openapi lint: ${names.length} documents (redocly, recommended rules)`,
    lintResult.ok,
    lintResult.output,
  );

  console.log("== deno tests");
  const testEnv = {
    ...env,
    TEST_DB_URL: cluster.url,
    TEST_ADMIN_DB_URL: cluster.adminUrl,
    TEST_GATEWAY_URL: gatewayUrl,
    TEST_FUNCTION_PORTS: JSON.stringify(fns.ports),
    GENBACKEND_TEST_RUN: "1",
    NO_COLOR: "1",
  };
  const child = new Deno.Command(deno, {
    args: [
      "test",
      "--allow-all",
      "--no-check",
      ...(Deno.args.length
        ? Deno.args
        : ["shared/", "functions/", "scripts/", "simulators/", "tests/"]),
    ],
    cwd: REPO_ROOT,
    env: testEnv,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let tail = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    Deno.stdout.writeSync(new TextEncoder().encode(chunk));
    tail = (tail + chunk).slice(-4000);
  }
  const status = await child.status;
  // The supervisor restarts a function that dies, so a crash would otherwise pass unseen.
  const crashed = Object.keys(fns.ports).filter((name) => fns.status(name).crashes > 0);
  record(
    "no function process crashed during the tests",
    crashed.length === 0,
    crashed.length ? `restarted after a crash: ${crashed.join(", ")} (logs in ${logDir})` : "",
  );
  // deno test's summary: "ok | 12 passed (3 steps) | 0 failed" (NO_COLOR keeps it plain).
  const summary = tail.match(/(\d+) passed.*?\| (\d+) failed/);
  if (summary) {
    passed += Number(summary[1]);
    failed += Number(summary[2]);
    if (Number(summary[2]) > 0) failures.push("deno tests");
  }
  if (!summary || (status.code !== 0 && Number(summary[2]) === 0)) {
    record("deno test run", false, "deno test did not report a summary or exited non-zero");
  }
} catch (err) {
  record("test stack", false, err instanceof Error ? err.stack ?? err.message : String(err));
} finally {
  for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((e) => console.error(e));
}

if (failures.length) console.log(`\nfailed: ${failures.join(", ")} (function logs in ${logDir})`);
console.log(`\n${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);
