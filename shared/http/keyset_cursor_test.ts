import { assertEquals, assertThrows } from "../../tests/support/assert.ts";
import { AppError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "./keyset_cursor.ts";

const id = "f5200000-0000-4000-8000-00000000a001";
const forge = (c: string) =>
  btoa(JSON.stringify({ c, i: id })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

Deno.test("a cursor round-trips with the timestamp's microseconds", () => {
  const at = "2026-12-03T18:06:07.123456+00:00";
  assertEquals(decodeCursor(encodeCursor({ at, id })), { at, id });
  assertEquals(decodeCursor(forge("2026-12-03T18:06:07Z")).at, "2026-12-03T18:06:07Z");
  assertEquals(decodeCursor(forge("2026-12-03T18:06:07+15:59")).at, "2026-12-03T18:06:07+15:59");
});

Deno.test("a cursor Postgres could not read is a 400 naming the field, not a 500 later", () => {
  for (
    const c of [
      "0000-01-01T00:00:00Z", // year 0 does not exist in timestamptz
      "2026-12-03T18:06:07+16:00", // offsets end at ±15:59
      "2026-12-03T18:06:07-23:59",
      "not a date",
    ]
  ) {
    const err = assertThrows(() => decodeCursor(forge(c), "before"), AppError);
    assertEquals([err.status, err.details?.[0].field], [400, "before"], c);
  }
  assertThrows(() => decodeCursor("%%%"), AppError);
});
