/**
 * The system prompt of a chat turn: the template the server chose for the conversation type and
 * content tier, with the character's fields filled into its `{{character_*}}` placeholders (one
 * pass: text a user wrote into a character is never expanded again), the character's own
 * `system_prompt` appended, and the rolling summary of older turns.
 */
import type { Character } from "../db/tables/characters.ts";

/** What fills a template. */
export interface PromptFill {
  character?: Character | null;
  /** The user's own persona character. */
  userCharacter?: Character | null;
  /** The conversation's current location, when it has one. */
  scene?: string | null;
  /** The summary of turns that no longer fit the context. */
  summary?: string | null;
}

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** The value of each placeholder a template may use. */
function values(fill: PromptFill): Record<string, string> {
  const c = fill.character;
  const out: Record<string, string> = {
    user_character: fill.userCharacter
      ? `${fill.userCharacter.name}${
        fill.userCharacter.description ? ` (${fill.userCharacter.description})` : ""
      }`
      : "the user",
    scene: fill.scene ?? "not set",
    mood: c?.mood ?? "",
    voice_tone: c?.voice_tone ?? "",
  };
  if (c) {
    // Every text field of the character, as {{character_<column>}}.
    for (const [key, value] of Object.entries(c)) {
      if (typeof value === "string") out[`character_${key}`] = value;
      if (Array.isArray(value)) out[`character_${key}`] = value.join(", ");
    }
    out.character_personality = c.persona ?? c.traits ?? "";
    out.character_visual_description = [...c.appearance_tags].join(", ");
  }
  return out;
}

/** Fills the template and appends what the character and the conversation add. */
export function buildSystemPrompt(template: string, fill: PromptFill): string {
  const known = values(fill);
  const filled = template.replace(PLACEHOLDER, (_m, name: string) => known[name] ?? "");
  const parts = [filled.trim()];
  if (fill.character?.system_prompt?.trim()) parts.push(fill.character.system_prompt.trim());
  if (fill.summary?.trim()) {
    parts.push(`Summary of the earlier conversation (for continuity):\n${fill.summary.trim()}`);
  }
  return parts.join("\n\n");
}
