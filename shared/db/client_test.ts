import { assertEquals } from "../../tests/support/assert.ts";
import { createDb, parseBigint, parseNumeric, parseTimestamp } from "./client.ts";

Deno.test("parsers keep microseconds and refuse numbers a double cannot hold", () => {
  assertEquals(parseTimestamp("2026-11-22 05:36:00.123456+00"), "2026-11-22T05:36:00.123456+00:00");
  assertEquals(parseTimestamp("2026-11-22 05:36:00+05:30"), "2026-11-22T05:36:00+05:30");
  assertEquals(parseBigint("-42"), -42);
  assertEquals(parseNumeric("12.50"), 12.5);
  let threw = 0;
  for (
    const f of [
      () => parseBigint("9007199254740993"),
      () => parseNumeric("1e400"),
      () => parseNumeric("NaN"),
    ]
  ) {
    try {
      f();
    } catch (e) {
      if (e instanceof RangeError) threw++;
    }
  }
  assertEquals(threw, 3);
});

Deno.test("createDb installs a setImmediate that is fast, ordered and really cancellable", async () => {
  const sql = createDb("postgresql://u:p@127.0.0.1:1/db");
  const g = globalThis as unknown as {
    setImmediate: (fn: () => void) => number;
    clearImmediate: (id: number) => void;
  };
  const seen: number[] = [];
  await new Promise<void>((done) => {
    g.setImmediate(() => seen.push(1));
    const cancelled = g.setImmediate(() => seen.push(2));
    g.setImmediate(() => seen.push(3));
    g.clearImmediate(cancelled);
    g.setImmediate(() => done());
  });
  assertEquals(seen, [1, 3], "in order, and the cleared one never runs");
  // A macrotask, as in Node: microtasks queued after it still run first.
  const order: string[] = [];
  await new Promise<void>((done) => {
    g.setImmediate(() => {
      order.push("immediate");
      done();
    });
    queueMicrotask(() => order.push("microtask"));
  });
  assertEquals(order, ["microtask", "immediate"]);
  assertEquals(
    (g.setImmediate as { name?: string }).name,
    "setImmediateFast",
    "the fast pair is what npm code sees",
  );
  await sql.end({ timeout: 0 });
});
