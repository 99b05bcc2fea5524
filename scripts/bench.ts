/**
 * `npm run bench [-- --quick]`: installs what the benchmarks need and only they need (wrk from
 * Debian; graphile-worker and pg-boss into bench/node_modules), then runs bench/run.ts as its own
 * Deno process. It is started, not imported: bench/ builds on scripts/lib, so scripts/ never
 * imports bench/.
 */
import { join } from "node:path";
import { REPO_ROOT } from "./lib/cluster.ts";
import { exists, run } from "./lib/process.ts";

const benchDir = join(REPO_ROOT, "bench");

if (
  !await exists(join(benchDir, "node_modules", "graphile-worker")) ||
  !await exists(join(benchDir, "node_modules", "pg-boss"))
) {
  console.log(
    "setup: installing graphile-worker and pg-boss into bench/node_modules",
  );
  await run([
    "npm",
    "ci",
    "--prefix",
    benchDir,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ], {
    cwd: REPO_ROOT,
  });
}

if (
  (await run(["sh", "-c", "command -v wrk"], { allowFail: true })).code !== 0
) {
  if (Deno.uid() !== 0) {
    console.error("wrk is missing. Run once: sudo apt-get install -y wrk");
    Deno.exit(1);
  }
  console.log("setup: installing wrk (Debian)");
  const install = await run(["apt-get", "install", "-y", "-qq", "wrk"], {
    allowFail: true,
  });
  if (install.code !== 0) {
    await run(["apt-get", "update", "-qq"]);
    await run(["apt-get", "install", "-y", "-qq", "wrk"]);
  }
}

// Ctrl-C reaches the benchmark too (same process group) and it stops its stack; this process
// waits for that instead of exiting first. A SIGTERM sent to this process alone is passed on.
const bench = new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-all", "--quiet", join(benchDir, "run.ts"), ...Deno.args],
  cwd: REPO_ROOT,
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
Deno.addSignalListener("SIGINT", () => {});
Deno.addSignalListener("SIGTERM", () => bench.kill("SIGTERM"));
Deno.exit((await bench.status).code);
