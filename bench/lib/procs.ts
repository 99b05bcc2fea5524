/** Child processes of the benchmark: Deno servers and workers, their start time and memory. */
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/lib/cluster.ts";

/** A started child and how to stop it. */
export interface Child {
  pid: number;
  process: Deno.ChildProcess;
  stop(): Promise<void>;
}

/** Starts `deno run` with the flags the function processes get (plus `extra`). */
export function spawnDeno(
  script: string,
  env: Record<string, string>,
  opts: {
    extra?: string[];
    args?: string[];
    stdin?: boolean;
    stdout?: "piped" | "null";
    stderr?: "inherit" | "null";
    /** CPU to pin the process to (taskset -c), like the load generators; null or unset: not pinned. */
    cpu?: number | null;
  } = {},
): Child {
  const pin = opts.cpu === undefined || opts.cpu === null ? [] : ["-c", String(opts.cpu)];
  const child = new Deno.Command(pin.length ? "taskset" : Deno.execPath(), {
    args: [
      ...(pin.length ? [...pin, Deno.execPath()] : []),
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      // bench/package.json would otherwise stop Deno's search for the root deno.json (imports).
      "--config",
      join(REPO_ROOT, "deno.json"),
      ...(opts.extra ?? []),
      script,
      ...(opts.args ?? []),
    ],
    cwd: REPO_ROOT,
    env: { ...env, DENO_NO_UPDATE_CHECK: "1" },
    stdin: opts.stdin ? "piped" : "null",
    stdout: opts.stdout ?? "null",
    stderr: opts.stderr ?? "inherit",
  }).spawn();
  return {
    pid: child.pid,
    process: child,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    },
  };
}

/** Polls `url` every `intervalMs` until it answers 200; resolves with the elapsed ms. */
export async function waitFor200(
  url: string,
  startedAt: number,
  timeoutMs = 30_000,
  intervalMs = 2,
): Promise<number> {
  while (performance.now() - startedAt < timeoutMs) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === 200) return performance.now() - startedAt;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Finds the process listening for function `name` on `port` (matched by cmdline and env). */
export async function pidOfFunction(
  name: string,
  port: number,
): Promise<number | undefined> {
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmd = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (!cmd.includes(`functions/${name}/index.ts`)) continue;
      const env = (await Deno.readTextFile(`/proc/${entry.name}/environ`))
        .split("\0");
      if (env.includes(`PORT=${port}`)) return Number(entry.name);
    } catch { /* exited meanwhile, or not ours */ }
  }
  return undefined;
}

/** Peak resident set size (VmHWM) of a process in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = status.match(/VmHWM:\s+(\d+) kB/);
  if (!kb) throw new Error(`no VmHWM for ${pid}`);
  return Number(kb[1]) / 1024;
}

/** Resets a process's peak RSS (Linux: writing 5 to clear_refs), so a scenario measures its own. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}
