/**
 * Assertions for the Deno tests, over `node:assert/strict` (JSR's @std/assert is not reachable
 * from our machines). Names follow @std/assert so the tests read the usual way.
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
}

/** The string matches the pattern. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  assert.match(actual, pattern, message);
}

/** The value is truthy. */
export function assertOk(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}

/** The function rejects, optionally with an error of `expected` (class or message pattern). */
export async function assertRejects(
  fn: () => Promise<unknown>,
  expected?: (new (...args: never[]) => Error) | RegExp,
  message?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    checkError(err, expected, message);
    return err as Error;
  }
  throw new assert.AssertionError({ message: message ?? "Expected the promise to reject" });
}

/** The function throws, optionally an error of `expected`; returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  expected?: (new (...args: never[]) => E) | RegExp,
  message?: string,
): E {
  try {
    fn();
  } catch (err) {
    checkError(err, expected, message);
    return err as E;
  }
  throw new assert.AssertionError({ message: message ?? "Expected the function to throw" });
}

function checkError(err: unknown, expected: unknown, message?: string) {
  if (expected instanceof RegExp) {
    assert.match(err instanceof Error ? err.message : String(err), expected, message);
  } else if (typeof expected === "function") {
    assert.ok(
      err instanceof (expected as new () => Error),
      message ?? `Expected ${expected.name}, got ${err}`,
    );
  }
}

/**
 * Reads `read` until `done` accepts its value (every 25 ms, at most `timeoutMs`), then returns the
 * last value read: for what a function writes after it has answered (audit rows).
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || performance.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}
