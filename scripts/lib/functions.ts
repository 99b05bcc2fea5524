/**
 * Runs each edge function as its own Deno process from its `index.ts` (as the edge runtime
 * isolates them), on free ports, and waits until each answers its health route. Each process is
 * supervised: one that dies is started again on the same port after a back-off.
 */
import { join } from "node:path";
import { freePort, REPO_ROOT } from "./cluster.ts";
import { bounded, waitFor } from "./process.ts";
import {
  DEFAULT_RESTART_POLICY,
  type RestartPolicy,
  supervise,
  type Supervised,
  type SupervisedStatus,
} from "./supervisor.ts";

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
  /** Where a function's process is (running, restarting after a crash, stopped). */
  status(name: string): SupervisedStatus;
  /** Seconds a caller should wait before retrying a function that does not answer. */
  retryAfterSeconds(name: string): number;
  /** Stops every process; nothing is restarted afterwards. */
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
  /** Back-off between restarts of a crashed function (tests shorten it). */
  restartPolicy?: RestartPolicy;
}

async function pipeLines(stream: ReadableStream<Uint8Array>, sink: (l: string) => void) {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    for (const line of lines) sink(line);
  }
  if (buf) sink(buf);
}

/** Starts the functions and waits for them to serve. */
export async function startFunctions(opts: StartFunctionsOptions): Promise<FunctionProcesses> {
  const names = opts.names ?? FUNCTION_NAMES;
  const ports: Record<string, number> = {};
  const supervised: Record<string, Supervised> = {};
  const files: Deno.FsFile[] = [];
  // Output of every process ever spawned, drained before the log files close.
  const pipes = new Set<Promise<void>>();
  let filesClosed = false;
  const track = (p: Promise<void>) => {
    const done = p.catch(() => {}).finally(() => pipes.delete(done));
    pipes.add(done);
  };
  let stopping: Promise<void> | undefined;
  // Idempotent: a caller's cleanup may stop a stack that a test already stopped.
  const stop = () =>
    stopping ??= (async () => {
      await Promise.all(Object.values(supervised).map((s) => s.stop()));
      await bounded(Promise.allSettled([...pipes]), 2000);
      filesClosed = true;
      for (const f of files) f.close();
    })();
  try {
    for (const name of names) {
      const port = freePort();
      ports[name] = port;
      let out: (l: string) => void;
      let err: (l: string) => void;
      if (opts.output.kind === "terminal") {
        const pad = name.padEnd(18);
        out = (l) => console.log(`${pad}| ${l}`);
        err = (l) => console.error(`${pad}| ${l}`);
      } else {
        await Deno.mkdir(opts.output.dir, { recursive: true });
        const file = await Deno.open(join(opts.output.dir, `${name}.log`), {
          create: true,
          write: true,
          truncate: true,
        });
        files.push(file);
        out = err = (l) => {
          if (!filesClosed) file.writeSync(new TextEncoder().encode(`${l}\n`));
        };
      }
      const spawn = () => {
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
        track(pipeLines(child.stdout, out));
        track(pipeLines(child.stderr, err));
        return child;
      };
      // A restart keeps the port, so the gateway's routes stay valid.
      supervised[name] = supervise({
        name,
        spawn,
        log: err,
        policy: opts.restartPolicy ?? DEFAULT_RESTART_POLICY,
      });
    }
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
  const status = (name: string): SupervisedStatus =>
    supervised[name]?.status() ??
      { state: "stopped", pid: undefined, crashes: 0, restartAt: undefined };
  return {
    ports,
    status,
    retryAfterSeconds(name) {
      const { restartAt } = status(name);
      // Until the pending restart, plus about a second for the new process to boot.
      return restartAt === undefined
        ? 1
        : Math.max(1, Math.ceil((restartAt - Date.now()) / 1000) + 1);
    },
    stop,
  };
}
