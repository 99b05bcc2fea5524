/**
 * Text fields of query strings and bodies that end up in Postgres: U+0000 and unpaired UTF-16
 * surrogates are refused with a 400 naming the field (the body reader does this for every JSON
 * body; query strings get it from these schemas).
 */
import { z } from "@hono/zod-openapi";

/** A string of at most `max` characters without U+0000 or an unpaired surrogate. */
export function safeText(max: number) {
  return z.string().max(max).refine((s) => !s.includes("\u0000"), "must not contain U+0000")
    .refine((s) => s.isWellFormed(), "must not contain an unpaired UTF-16 surrogate");
}
