/**
 * The negative prompt for a generation: the active fragments for the target model's family, the
 * content mode and the generation mode (text-to-image or image-to-image), highest priority first,
 * joined with commas, then the user's own. Duplicated phrases are dropped.
 */
import type { NegativePromptRow } from "../db/tables/prompt_templates.ts";
import { type ContentMode } from "../vocabulary.ts";

/** What the negative prompt is assembled for. */
export interface NegativeQuery {
  modelFamily: string | null | undefined;
  contentMode: ContentMode;
  generationMode: "txt2img" | "i2i";
  /** The user's own negative prompt, appended last. */
  user?: string;
}

/** The assembled negative prompt, or undefined when there is nothing to say. */
export function assembleNegativePrompt(
  rows: readonly NegativePromptRow[],
  q: NegativeQuery,
): string | undefined {
  const fragments = rows
    .filter((r) =>
      r.model_type === q.modelFamily && r.content_mode === q.contentMode &&
      r.generation_mode === q.generationMode
    )
    .sort((a, b) => b.priority - a.priority || a.negative_prompt.localeCompare(b.negative_prompt))
    .map((r) => r.negative_prompt);
  if (q.user?.trim()) fragments.push(q.user.trim());
  const seen = new Set<string>();
  const phrases: string[] = [];
  for (const fragment of fragments) {
    for (const phrase of fragment.split(",").map((p) => p.trim()).filter(Boolean)) {
      const key = phrase.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        phrases.push(phrase);
      }
    }
  }
  return phrases.length > 0 ? phrases.join(", ") : undefined;
}
