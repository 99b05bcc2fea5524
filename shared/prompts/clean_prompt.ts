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

/** Strips quotes, labels, markdown and extra whitespace; keeps the first paragraph-block. */
export function cleanEnhanced(raw: string): string {
  let text = raw.replace(/\r\n?/g, "\n").trim();
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
 * boundary before the limit, never mid-word; trailing separators are removed.
 */
export function truncateToTokens(text: string, tokenLimit: number): string {
  const maxChars = Math.max(1, tokenLimit * 4);
  if (text.length <= maxChars) return text;
  const head = text.slice(0, maxChars + 1);
  const comma = Math.max(head.lastIndexOf(","), head.lastIndexOf("."), head.lastIndexOf(";"));
  const space = head.lastIndexOf(" ");
  // Prefer a phrase boundary when it keeps most of the budget; else the last whole word.
  const cut = comma >= maxChars * 0.6 ? comma : space > 0 ? space : maxChars;
  return text.slice(0, cut).replace(/[\s,;:.\-–—]+$/, "").trim();
}
