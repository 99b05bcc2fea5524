/**
 * Reads of the prompt configuration (prompt_templates, negative_prompts) for the per-process
 * prompt catalog. Admin-only tables: the functions read them on the service path, as server
 * configuration rather than something a user asks for. Returned unsent.
 */
import type { Tables } from "../database.types.ts";
import type { Tx } from "../client.ts";

/** An active template. */
export type TemplateRow = Pick<
  Tables<"prompt_templates">,
  | "id"
  | "template_name"
  | "version"
  | "use_case"
  | "content_mode"
  | "job_type"
  | "target_model"
  | "enhancer_model"
  | "system_prompt"
  | "token_limit"
  | "updated_at"
>;

/** An active negative prompt fragment. */
export type NegativePromptRow = Pick<
  Tables<"negative_prompts">,
  "model_type" | "content_mode" | "generation_mode" | "negative_prompt" | "priority"
>;

/** A cheap fingerprint of both tables: a change to either shows in it. */
export function fingerprint(tx: Tx) {
  return tx<{ fingerprint: string }[]>`
    select
      (select coalesce(max(updated_at)::text, '') || ':' || count(*) from public.prompt_templates) || '|' ||
      (select coalesce(max(updated_at)::text, '') || ':' || count(*) from public.negative_prompts)
      as fingerprint`;
}

/** Every active template. */
export function activeTemplates(tx: Tx) {
  return tx<TemplateRow[]>`
    select id, template_name, version, use_case, content_mode, job_type, target_model, enhancer_model,
      system_prompt, token_limit, updated_at
    from public.prompt_templates where is_active`;
}

/** Every active negative prompt fragment. */
export function activeNegativePrompts(tx: Tx) {
  return tx<NegativePromptRow[]>`
    select model_type, content_mode, generation_mode, negative_prompt, priority
    from public.negative_prompts where is_active`;
}
