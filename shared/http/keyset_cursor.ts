/** Opaque keyset cursors for pages ordered by (created_at, id): base64url of `{c, i}`. */
import { z } from "zod";
import { AppError } from "../errors.ts";
import { decodeBase64 } from "../encoding.ts";

const cursorSchema = z.object({ c: z.iso.datetime({ offset: true }), i: z.uuid() });

/** Encodes the position after a row. */
export function encodeCursor(pos: { createdAt: string; id: string }): string {
  return btoa(JSON.stringify({ c: pos.createdAt, i: pos.id })).replace(/\+/g, "-").replace(
    /\//g,
    "_",
  ).replace(/=+$/, "");
}

/** Decodes a cursor from a query string; a tampered one is a 400. */
export function decodeCursor(raw: string): { createdAt: string; id: string } {
  try {
    const parsed = cursorSchema.parse(JSON.parse(new TextDecoder().decode(decodeBase64(raw))));
    return { createdAt: parsed.c, id: parsed.i };
  } catch {
    throw new AppError("BAD_REQUEST", "Invalid cursor", {
      details: [{ field: "cursor", message: "not a cursor from this API" }],
    });
  }
}
