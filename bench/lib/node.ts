/** Running the Node anchors (graphile-worker, pg-boss) installed in bench/node_modules. */
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/lib/cluster.ts";
import { run } from "../../scripts/lib/process.ts";

/** The folder with bench/package.json. */
export const BENCH_DIR = join(REPO_ROOT, "bench");

/** Runs `node bench/node/<script>` and parses the JSON line it prints last. */
export async function runNodeJson<T>(
  script: string,
  args: string[],
): Promise<T> {
  const res = await run(["node", join(BENCH_DIR, "node", script), ...args], {
    cwd: BENCH_DIR,
    allowFail: true,
  });
  const line = res.stdout.trim().split("\n").at(-1) ?? "";
  if (res.code !== 0 || !line.startsWith("{")) {
    throw new Error(
      `node ${script} failed (${res.code}): ${res.stdout}\n${res.stderr}`,
    );
  }
  return JSON.parse(line) as T;
}

/** Installed version of an npm package under bench/node_modules, or "missing". */
export async function packageVersion(name: string): Promise<string> {
  try {
    const pkg = JSON.parse(
      await Deno.readTextFile(
        join(BENCH_DIR, "node_modules", name, "package.json"),
      ),
    );
    return pkg.version;
  } catch {
    return "missing";
  }
}
