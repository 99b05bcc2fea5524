/** What a model wrote, made storable. */

/**
 * Model output as Postgres can hold it, in `text` and in `jsonb` alike: without U+0000, which
 * both refuse, and without UTF-16 halves missing their pair, which `jsonb` refuses (a lone
 * surrogate becomes U+FFFD, as it would in a text column). Whitespace-only output counts as empty.
 */
export function storableText(text: string): string {
  const clean = text.replaceAll("\0", "").toWellFormed();
  return clean.trim() ? clean : "";
}
