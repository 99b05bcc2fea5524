/** What a model wrote, made storable. */

/** The most characters (code points) `messages.content` holds (its check constraint). */
export const MESSAGE_MAX_CHARS = 100_000;

/**
 * Model output as Postgres can hold it, in `text` and in `jsonb` alike: without U+0000, which
 * both refuse, and without UTF-16 halves missing their pair, which `jsonb` refuses (a lone
 * surrogate becomes U+FFFD, as it would in a text column). Whitespace-only output counts as empty.
 */
export function storableText(text: string): string {
  const clean = text.replaceAll("\0", "").toWellFormed();
  return clean.trim() ? clean : "";
}

/**
 * The first `max` characters (code points, as Postgres' `char_length` counts them) of `text`,
 * never splitting a surrogate pair; `cut` says whether anything was left out.
 */
export function firstChars(text: string, max: number): { text: string; cut: boolean } {
  // A string of at most `max` UTF-16 units has at most `max` code points: the common case
  // costs no scan.
  if (text.length <= max) return { text, cut: false };
  let units = 0;
  let chars = 0;
  while (units < text.length && chars < max) {
    const code = text.charCodeAt(units);
    units += code >= 0xd800 && code <= 0xdbff && units + 1 < text.length ? 2 : 1;
    chars++;
  }
  return { text: text.slice(0, units), cut: units < text.length };
}
