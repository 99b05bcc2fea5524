/**
 * What a language model returns is not yet a prompt: it may quote it, label it ("Enhanced
 * prompt:"), wrap it in markdown or run past the template's budget. These make it one.
 */

/** Estimated tokens of a prompt: about four characters each (CLIP and most LLM tokenizers agree roughly). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

const LABEL =
  /^(?:\s*(?:here(?:'s| is) (?:the |your |an? )?)?(?:enhanced|improved|rewritten|final|new|optimi[sz]ed)?\s*(?:image |video )?prompt\s*[:\-–—]\s*)/i;

// Control characters (NUL, which Postgres text refuses, escape sequences, C1) other than the
// whitespace that is normalised below; and UTF-16 halves without their pair.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;
/** Characters past which a run without spaces is not a word but text without boundaries. */
const LONGEST_WORD = 48;

/**
 * Strips quotes, labels, markdown and extra whitespace; keeps the first paragraph-block. The
 * result holds no control characters and is well-formed UTF-16, whatever the model sent.
 */
export function cleanEnhanced(raw: string): string {
  let text = raw.replace(CONTROL, "").replace(LONE_SURROGATE, "").replace(/\r\n?/g, "\n").trim();
  // A fenced block: keep what is inside.
  const fenced = text.match(/```[a-z]*\n?([\s\S]*?)```/i);
  if (fenced) text = fenced[1].trim();
  // Markdown emphasis and bullet marks carry nothing a generator reads.
  text = text.replace(/\*\*|__|`/g, "").replace(/^[-*•]\s+/gm, "");
  text = text.replace(LABEL, "").trim();
  // Surrounding quotes, straight or curly, possibly repeated.
  for (let i = 0; i < 3; i++) {
    const quoted = text.match(/^["'“”‘’«»]+([\s\S]*?)["'“”‘’«»]+$/);
    if (!quoted) break;
    text = quoted[1].trim();
  }
  // A trailing explanation after a blank line ("This prompt adds ...") is dropped.
  text = text.split(/\n\s*\n/)[0];
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Cuts a prompt to `tokenLimit` estimated tokens, at the last comma, sentence end or word
 * boundary before the limit; text without one (a script
 * written without spaces, a run of emoji) is cut at the limit, never between the two halves of
 * a character. Trailing separators are removed.
 */
export function truncateToTokens(text: string, tokenLimit: number): string {
  const maxChars = Math.max(1, tokenLimit * 4);
  if (text.length <= maxChars) return text;
  const head = text.slice(0, maxChars + 1);
  const comma = Math.max(head.lastIndexOf(","), head.lastIndexOf("."), head.lastIndexOf(";"));
  const space = head.lastIndexOf(" ");
  // Prefer a phrase boundary when it keeps most of the budget; else the last whole word, unless
  // that "word" is longer than any word is (then the text has no word boundaries to respect).
  let cut = comma >= maxChars * 0.6
    ? comma
    : space > 0 && maxChars - space <= LONGEST_WORD
    ? space
    : maxChars;
  // Not between a high and a low surrogate.
  const unit = text.charCodeAt(cut - 1);
  if (unit >= 0xd800 && unit <= 0xdbff) cut--;
  return text.slice(0, cut).replace(/[\s,;:.\-–—]+$/, "").trim();
}
