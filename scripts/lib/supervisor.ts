/**
 * Keeps one child process running for the local stacks: when it exits on its own (a crash, a
 * kill, a boot error) it is started again after an exponential back-off, with one log line per
 * crash and per restart; an intentional stop ends it and starts nothing.
 */

/** Back-off between restarts. */
export interface RestartPolicy {
  /** Delay before the first restart, in ms. */
  initialDelayMs: number;
  /** Ceiling of the doubling delay, in ms. */
  maxDelayMs: number;
  /** A process that stayed up this long before exiting restarts after `initialDelayMs` again. */
  resetAfterMs: number;
}

/** 0.5 s, 1 s, 2 s … up to 30 s; back to 0.5 s once a process has stayed up a minute. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  resetAfterMs: 60_000,
};

/**
 * Ctrl-C signals the whole process group, so a child can die a moment before this process's own
 * SIGINT listener has begun the stop. An exit is judged only after this pause, so a Ctrl-C is not
 * logged as a crash.
 */
const SETTLE_MS = 150;

/** The delay before the next restart, given the previous one and how long the process was up. */
export function nextRestartDelay(
  previousMs: number | undefined,
  upMs: number,
  policy: RestartPolicy,
): number {
  if (previousMs === undefined || upMs >= policy.resetAfterMs) return policy.initialDelayMs;
  return Math.min(previousMs * 2, policy.maxDelayMs);
}

/** Where a supervised process is. */
export type SupervisedState = "running" | "restarting" | "stopped";

/** A snapshot of a supervised process. */
export interface SupervisedStatus {
  state: SupervisedState;
  /** The current child's pid (undefined while restarting or once stopped). */
  pid: number | undefined;
  /** Unexpected exits so far. */
  crashes: number;
  /** When the next start is due (epoch ms), while restarting. */
  restartAt: number | undefined;
}

/** A process kept running by {@link supervise}. */
export interface Supervised {
  status(): SupervisedStatus;
  /** Stops the process (SIGTERM, SIGKILL after `graceMs`) and cancels any pending restart. */
  stop(graceMs?: number): Promise<void>;
}

/** Options for {@link supervise}. */
export interface SuperviseOptions {
  name: string;
  /** Starts the process and wires its output; called again for every restart. */
  spawn: () => Deno.ChildProcess;
  log: (line: string) => void;
  policy?: RestartPolicy;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Stands in for the exit of a process that could not be spawned at all. */
const SPAWN_FAILED: Deno.CommandStatus = { success: false, code: 127, signal: null };

function describeExit(status: Deno.CommandStatus): string {
  return status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
}

/** Starts the process now and restarts it whenever it exits until {@link Supervised.stop}. */
export function supervise(opts: SuperviseOptions): Supervised {
  const policy = opts.policy ?? DEFAULT_RESTART_POLICY;
  let stopped = false;
  let child: Deno.ChildProcess | undefined = opts.spawn();
  let startedAt = Date.now();
  let restartAt: number | undefined;
  let crashes = 0;
  let delay: number | undefined;
  let wake = () => {};
  // Resolves early when stop() is called, so a stop never waits out a back-off.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (true) {
      const status = child ? await child.status : SPAWN_FAILED;
      child = undefined;
      if (stopped) return;
      await sleep(SETTLE_MS);
      if (stopped) return;
      crashes++;
      const exitedAt = Date.now() - SETTLE_MS;
      delay = nextRestartDelay(delay, exitedAt - startedAt, policy);
      restartAt = exitedAt + delay;
      opts.log(
        `${opts.name} exited unexpectedly (${describeExit(status)}) after ${
          seconds(exitedAt - startedAt)
        }; restarting in ${seconds(delay)} (crash ${crashes})`,
      );
      await sleep(restartAt - Date.now());
      if (stopped) return;
      restartAt = undefined;
      startedAt = Date.now();
      try {
        child = opts.spawn();
        opts.log(`${opts.name} restarted (pid ${child.pid})`);
      } catch (err) {
        // Could not even spawn (the binary vanished?): counted as a crash, same back-off.
        opts.log(
          `${opts.name} could not be restarted: ${err instanceof Error ? err.message : err}`,
        );
      }
    }
  })();

  return {
    status: () => ({
      state: stopped ? "stopped" : child ? "running" : "restarting",
      pid: stopped ? undefined : child?.pid,
      crashes,
      restartAt: stopped ? undefined : restartAt,
    }),
    async stop(graceMs = 5000) {
      stopped = true;
      wake();
      const current = child;
      if (current) {
        try {
          current.kill("SIGTERM");
        } catch { /* already gone */ }
        let timer: number | undefined;
        const exited = await Promise.race([
          current.status.then(() => true),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
        ]);
        clearTimeout(timer);
        if (!exited) {
          try {
            current.kill("SIGKILL");
          } catch { /* already gone */ }
        }
      }
      await loop;
    },
  };
}
