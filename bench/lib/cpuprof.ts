/**
 * Where the time goes: runs a function process under V8's sampling profiler (inspector)
 * while wrk applies a scenario's load, then summarises self time by module and by function.
 */
import { freePort } from "../../scripts/lib/cluster.ts";
import { spawnDeno, waitFor200 } from "./procs.ts";
import { runWrk } from "./wrk.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// npm packages (Deno's cache or node_modules) by package, project files by path, Deno internals as one bucket each.
function moduleOf(url: string): string {
  if (!url) return "(native / V8)";
  const npm = url.match(/registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\//) ??
    url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (npm) return `npm:${npm[1]}`;
  if (url.startsWith("ext:")) return `deno ${url.split("/")[0]}`;
  const local = url.match(/\/work\/[^/]+\/(.+)$/) ??
    url.match(/file:\/\/\/?(.+)$/);
  return local ? local[1] : url;
}

/** Self time shares (percent of samples) by module and the top functions. */
export function summarize(profile: CpuProfile, top = 12): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.samples.length || 1;
  const modules = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const special = functionName.startsWith("(") ? functionName : null;
    const mod = special ?? moduleOf(url);
    modules.set(mod, (modules.get(mod) ?? 0) + 1);
    const fn = special ??
      `${functionName || "(anonymous)"} ${moduleOf(url)}:${lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + 1);
  }
  const pct = (n: number) => `${((n / total) * 100).toFixed(1)}%`;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return [
    `Self time by module (${total} samples):`,
    ...sorted(modules).slice(0, top).map(([k, v]) => `    ${pct(v).padStart(6)}  ${k}`),
    "Top functions by self time:",
    ...sorted(fns).slice(0, top).map(([k, v]) => `    ${pct(v).padStart(6)}  ${k}`),
  ];
}

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
export async function connectInspector(port: number) {
  let list: { webSocketDebuggerUrl: string }[] = [];
  for (let i = 0; i < 500 && list.length === 0; i++) {
    list = await fetch(`http://127.0.0.1:${port}/json/list`).then((r) => r.json()).catch(() => []);
    if (list.length === 0) await new Promise((r) => setTimeout(r, 10));
  }
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 0;
  const pending = new Map<
    number,
    (m: { result?: Record<string, unknown> }) => void
  >();
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.id) pending.get(m.id)?.(m);
  };
  return {
    send(method: string, params: Record<string, unknown> = {}) {
      const id = ++next;
      return new Promise<{ result?: Record<string, unknown> }>((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}

/**
 * Starts function `name` with the stack's env under the V8 sampling profiler (through the
 * inspector: Deno 2.1 has no --cpu-prof). With a wrk `script`, profiles `durationS` of that load
 * after start-up; without one, profiles start-up (the process waits for the profiler) to the
 * first 200 of /health. Returns the summary.
 */
export async function profileUnderLoad(opts: {
  name: string;
  env: Record<string, string>;
  script?: string;
  connections: number;
  durationS: number;
  cpu: number | null;
}): Promise<string[]> {
  const port = freePort();
  const inspectPort = freePort();
  const startup = !opts.script;
  const child = spawnDeno(`functions/${opts.name}/index.ts`, {
    ...opts.env,
    PORT: String(port),
  }, {
    extra: [`--inspect${startup ? "-wait" : ""}=127.0.0.1:${inspectPort}`],
    stderr: "null",
  });
  try {
    const cdp = await connectInspector(inspectPort);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    const health = `http://127.0.0.1:${port}/${opts.name}/health`;
    if (startup) {
      await cdp.send("Profiler.start");
      await cdp.send("Runtime.runIfWaitingForDebugger");
      await waitFor200(health, performance.now());
    } else {
      await waitFor200(health, performance.now());
      await cdp.send("Profiler.start");
      await runWrk({
        baseUrl: `http://127.0.0.1:${port}`,
        script: opts.script!,
        connections: opts.connections,
        durationS: opts.durationS,
        cpu: opts.cpu,
      });
    }
    const stopped = await cdp.send("Profiler.stop");
    cdp.close();
    return summarize(
      stopped.result!.profile as CpuProfile,
      Number(Deno.env.get("PROF_TOP") ?? 12),
    );
  } finally {
    await child.stop();
  }
}
