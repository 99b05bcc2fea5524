/** What a model wrote, made storable. */

/**
 * Model output as Postgres `text` can hold it: without U+0000, which it refuses. Whitespace-only
 * output counts as empty.
 */
export function storableText(text: string): string {
  const clean = text.includes("\0") ? text.replaceAll("\0", "") : text;
  return clean.trim() ? clean : "";
}
