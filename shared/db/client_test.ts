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

Deno.test("createDb swallows only postgres.js's stale-write TypeError (denoland/deno#29262)", async () => {
  const sql = createDb("postgresql://u:p@127.0.0.1:1/db");
  const stale = new TypeError("May not write null values to stream");
  stale.stack =
    `TypeError: May not write null values to stream\n    at nextWrite (file:///x/npm/registry.npmjs.org/postgres/3.4.9/src/connection.js:255:22)`;
  const staleEvent = new ErrorEvent("error", { error: stale, cancelable: true });
  globalThis.dispatchEvent(staleEvent);
  assertEquals(staleEvent.defaultPrevented, true);
  const other = new ErrorEvent("error", {
    error: new TypeError("May not write null values to stream"),
    cancelable: true,
  });
  globalThis.dispatchEvent(other);
  assertEquals(other.defaultPrevented, false, "the same message from elsewhere still surfaces");
  const unrelated = new ErrorEvent("error", { error: new Error("boom"), cancelable: true });
  globalThis.dispatchEvent(unrelated);
  assertEquals(unrelated.defaultPrevented, false);
  await sql.end({ timeout: 0 });
});
