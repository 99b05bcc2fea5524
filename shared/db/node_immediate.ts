/**
 * `setImmediate` / `clearImmediate` for npm code under Deno 2.1, whose Node layer implements
 * them as ~1 ms timers with a `clearImmediate` that can fail to cancel (denoland/deno#29262).
 * postgres.js defers every small write with `setImmediate`, so with Deno's version each query
 * pays about 1 ms before it is even sent (measured: `select 1` 1.23 ms → 0.12 ms per round
 * trip), and a cancelled write can fire later and throw "May not write null values to stream".
 *
 * This version queues a macrotask through a MessageChannel, so it still runs after pending I/O
 * as Node's does, and cancellation is exact. The channel exists only while callbacks are
 * pending, so it never keeps a process alive.
 */

type Callback = () => void;

const pending = new Map<number, Callback>();
const order: number[] = [];
let nextId = 1;
let channel: MessageChannel | undefined;

function drain(): void {
  const id = order.shift();
  if (id !== undefined) {
    const run = pending.get(id);
    pending.delete(id);
    run?.();
  }
  if (order.length === 0 && channel) {
    channel.port1.close();
    channel.port2.close();
    channel = undefined;
  }
}

function setImmediateFast(fn: (...args: unknown[]) => void, ...args: unknown[]): number {
  const id = nextId++;
  pending.set(id, () => fn(...args));
  order.push(id);
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = drain;
  }
  channel.port2.postMessage(null);
  return id;
}

function clearImmediateFast(id: unknown): void {
  if (typeof id === "number") pending.delete(id);
}

let installed = false;

/** Installs the fast pair as globals (once per process). */
export function installNodeImmediate(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as Record<string, unknown>;
  g.setImmediate = setImmediateFast;
  g.clearImmediate = clearImmediateFast;
}
