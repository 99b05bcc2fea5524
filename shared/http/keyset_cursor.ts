/**
 * Opaque keyset cursors for pages ordered by (timestamp, id): base64url of `{c, i}`. A cursor
 * someone edited is a 400 naming the query field, never a 500 or a page from elsewhere.
 */
import { z } from "zod";
import { decodeBase64 } from "../encoding.ts";
import { AppError } from "../errors.ts";

// ISO 8601 allows what Postgres' timestamptz refuses (year 0000, offsets past ±15:59); such a
// cursor must be a 400 here, not an error from the database. The string itself is kept: it has
// the microseconds a Date would drop.
const inPostgresRange = (iso: string) => {
  const offset = /([+-])(\d{2}):?\d{2}$/.exec(iso);
  return Number(iso.slice(0, 4)) >= 1 && (!offset || Number(offset[2]) <= 15);
};
const cursorSchema = z.object({
  c: z.iso.datetime({ offset: true }).refine(inPostgresRange),
  i: z.uuid(),
});

/** A position in a (timestamp, id) ordering. */
export interface KeysetPosition {
  at: string;
  id: string;
}

/** Encodes the position after a row. */
export function encodeCursor(pos: KeysetPosition): string {
  return btoa(JSON.stringify({ c: pos.at, i: pos.id })).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Decodes a cursor from the query string field `field`; a tampered one is a 400. */
export function decodeCursor(raw: string, field = "cursor"): KeysetPosition {
  try {
    const parsed = cursorSchema.parse(JSON.parse(new TextDecoder().decode(decodeBase64(raw))));
    return { at: parsed.c, id: parsed.i };
  } catch {
    throw new AppError("BAD_REQUEST", `Invalid ${field}`, {
      details: [{ field, message: "not a cursor from this API" }],
    });
  }
}
