/**
 * Chooses the system prompt template for a request, deterministically: active templates of the
 * use case and content mode only (an SFW request never gets an NSFW template; the reference
 * system swapped modes when nothing matched), then the most specific target: the exact model key,
 * else the model's family, else the universal template (`target_model` null). Within a level a
 * template for the request's job type beats one for any job type, one for the enhancer model
 * beats one for any enhancer, and the newest version wins.
 */
import type { TemplateRow } from "../db/tables/prompt_templates.ts";
import { type ContentMode } from "../vocabulary.ts";

/** How specific the chosen template is. */
export type FallbackLevel = "exact" | "family" | "universal";

/** What a template is chosen for. */
export interface TemplateQuery {
  useCase: string;
  contentMode: ContentMode;
  /** `image` or `video` for enhancement; `chat`/`roleplay` for chat. */
  jobType?: string;
  /** The generation model's key, and its family. */
  targetModel?: string;
  targetFamily?: string | null;
  /** The enhancer or chat model's key. */
  enhancerModel?: string;
}

/** The chosen template and its level. */
export interface TemplateChoice {
  template: TemplateRow;
  level: FallbackLevel;
}

/** Picks the template, or null when none fits. */
export function selectTemplate(
  rows: readonly TemplateRow[],
  q: TemplateQuery,
): TemplateChoice | null {
  const levels: [FallbackLevel, string | null | undefined][] = [
    ["exact", q.targetModel],
    ["family", q.targetFamily],
    ["universal", null],
  ];
  for (const [level, target] of levels) {
    if (level !== "universal" && !target) continue;
    const matches = rows.filter((t) =>
      t.use_case === q.useCase && t.content_mode === q.contentMode &&
      (t.target_model ?? null) === (level === "universal" ? null : target) &&
      (t.job_type === null || t.job_type === q.jobType) &&
      (t.enhancer_model === "" || t.enhancer_model === q.enhancerModel)
    );
    if (matches.length === 0) continue;
    matches.sort((a, b) =>
      Number(b.job_type !== null) - Number(a.job_type !== null) ||
      Number(b.enhancer_model !== "") - Number(a.enhancer_model !== "") ||
      b.version - a.version ||
      (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0) ||
      a.id.localeCompare(b.id)
    );
    return { template: matches[0], level };
  }
  return null;
}
