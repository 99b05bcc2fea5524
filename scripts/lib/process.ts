/** Small helpers for running child processes from the stack scripts. */

/** Result of {@link run}. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Return a non-zero exit instead of throwing. */
  allowFail?: boolean;
  stdin?: string;
}

/** Runs a command to completion, capturing its output; throws on a non-zero exit by default. */
export async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const cmd = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: opts.cwd,
    env: opts.env,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  const out = await child.output();
  const res = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (res.code !== 0 && !opts.allowFail) {
    throw new Error(
      `Command failed (${res.code}): ${argv.join(" ")}\n${res.stdout}\n${res.stderr}`.trim(),
    );
  }
  return res;
}

/** True when the path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Polls `check` until it resolves true or `timeoutMs` passes. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/**
 * Waits for `work` at most `ms`, then moves on. For shutdowns that wait on peers (an HTTP
 * server draining keep-alive connections, a simulator finishing webhook retries): a stack
 * that is going away should not wait minutes for them.
 */
export async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: number | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise((r) => (timer = setTimeout(r, ms))),
  ]);
  clearTimeout(timer);
}
