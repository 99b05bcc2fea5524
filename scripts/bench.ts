/**
 * `npm run bench [-- --quick]`: installs what the benchmarks need and only they need (wrk from
 * Debian; graphile-worker and pg-boss into bench/node_modules), then runs bench/run.ts.
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

const { main } = await import("../bench/run.ts");
Deno.exit(await main(Deno.args));
