/**
 * Runs each edge function as its own Deno process from its `index.ts` (as the edge runtime
 * isolates them), on free ports, and waits until each answers its health route.
 */
import { join } from "node:path";
import { freePort, REPO_ROOT } from "./cluster.ts";
import { waitFor } from "./process.ts";

/** Every function in the project. */
export const FUNCTION_NAMES = [
  "queue-job",
  "enhance-prompt",
  "playground-chat",
  "workspace-actions",
  "system-metrics",
  "provider-webhooks",
] as const;

/** Running function processes. */
export interface FunctionProcesses {
  ports: Record<string, number>;
  stop(): Promise<void>;
}

/** Options for {@link startFunctions}. */
export interface StartFunctionsOptions {
  env: Record<string, string>;
  names?: readonly string[];
  /** Where each process's output goes: the terminal (prefixed) or a folder of log files. */
  output: { kind: "terminal" } | { kind: "files"; dir: string };
  /** Extra `deno run` flags for a function (the benchmark's inspector, for one). */
  denoFlags?: (name: string) => string[];
}

async function pipeLines(
  stream: ReadableStream<Uint8Array>,
  prefix: string,
  sink: (l: string) => void,
) {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    for (const line of lines) sink(`${prefix}${line}`);
  }
  if (buf) sink(`${prefix}${buf}`);
}

/** Starts the functions and waits for them to serve. */
export async function startFunctions(opts: StartFunctionsOptions): Promise<FunctionProcesses> {
  const names = opts.names ?? FUNCTION_NAMES;
  const ports: Record<string, number> = {};
  const children: Deno.ChildProcess[] = [];
  const files: Deno.FsFile[] = [];
  for (const name of names) {
    const port = freePort();
    ports[name] = port;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-sys",
        ...(opts.denoFlags?.(name) ?? []),
        `functions/${name}/index.ts`,
      ],
      cwd: REPO_ROOT,
      env: { ...opts.env, PORT: String(port), DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    children.push(child);
    if (opts.output.kind === "terminal") {
      const pad = name.padEnd(18);
      pipeLines(child.stdout, `${pad}| `, console.log);
      pipeLines(child.stderr, `${pad}| `, console.error);
    } else {
      await Deno.mkdir(opts.output.dir, { recursive: true });
      const file = await Deno.open(join(opts.output.dir, `${name}.log`), {
        create: true,
        write: true,
        truncate: true,
      });
      files.push(file);
      const writer = (l: string) => file.writeSync(new TextEncoder().encode(`${l}\n`));
      pipeLines(child.stdout, "", writer);
      pipeLines(child.stderr, "", writer);
    }
  }
  const stop = async () => {
    for (const child of children) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await Promise.allSettled(children.map((c) => c.status));
    for (const f of files) f.close();
  };
  try {
    await Promise.all(names.map((name) =>
      waitFor(`${name} to serve`, async () => {
        const res = await fetch(`http://127.0.0.1:${ports[name]}/${name}/health`);
        await res.body?.cancel();
        return res.status === 200 || res.status === 503;
      }, 60_000)
    ));
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, stop };
}
