/**
 * Fixtures for provider tests: uniquely named providers and models (so tests never depend on
 * seed.sql or on each other), and a capabilities object that passes the schema.
 */
import type { Sql } from "../../shared/db/client.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";
import type { ModelRow } from "../../shared/providers/registry.ts";

/** Valid image capabilities; override any field. */
export function imageCapabilities(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    input_keys: [
      "prompt",
      "negative_prompt",
      "width",
      "height",
      "num_outputs",
      "num_inference_steps",
      "guidance_scale",
      "seed",
      "image",
      "prompt_strength",
      "disable_safety_checker",
    ],
    key_map: {
      steps: "num_inference_steps",
      guidance: "guidance_scale",
      seed: "seed",
      num_outputs: "num_outputs",
      negative_prompt: "negative_prompt",
      width: "width",
      height: "height",
      aspect_ratio: null,
      image: "image",
      strength: "prompt_strength",
    },
    ranges: {
      num_inference_steps: { min: 1, max: 50 },
      guidance_scale: { min: 0, max: 20 },
      prompt_strength: { min: 0, max: 1 },
    },
    size_mode: "dimensions",
    aspect_ratios: {
      "1:1": { width: 1024, height: 1024 },
      "16:9": { width: 1344, height: 768 },
      "9:16": { width: 768, height: 1344 },
    },
    max_outputs: 4,
    max_width: 1536,
    max_height: 1536,
    supports_negative_prompt: true,
    supports_reference: true,
    supports_seed: true,
    safety_checker_key: "disable_safety_checker",
    quality_presets: { fast: { num_inference_steps: 20 }, high: { num_inference_steps: 40 } },
    legacy_job_types: [],
    video: null,
    ...overrides,
  };
}

/** Valid video capabilities. */
export function videoCapabilities(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return imageCapabilities({
    input_keys: ["prompt", "aspect_ratio", "seed", "image"],
    key_map: { seed: "seed", aspect_ratio: "aspect_ratio", image: "image" },
    ranges: {},
    size_mode: "aspect_ratio",
    max_outputs: 1,
    supports_negative_prompt: false,
    safety_checker_key: null,
    quality_presets: { fast: {}, high: {} },
    video: { duration_key: "duration", durations: [5, 10], default_duration: 5, fps: 24 },
    ...overrides,
  });
}

const suffix = () => crypto.randomUUID().slice(0, 8);

/** Creates a provider with a unique name; its secret env var name is returned on the row. */
export async function createTestProvider(
  sql: Sql,
  overrides: Partial<ProviderRow> = {},
): Promise<ProviderRow> {
  const name = overrides.name ?? `test-${suffix()}`;
  const [row] = await sql<ProviderRow[]>`
    insert into public.api_providers (name, display_name, adapter, base_url, auth_scheme, auth_header_name, secret_name,
      webhook_secret_name, rate_limits, allowed_output_hosts, is_active)
    values (${name}, ${name}, ${overrides.adapter ?? "replicate"}, ${
    overrides.base_url ?? "https://api.replicate.com/v1"
  },
      ${overrides.auth_scheme ?? "bearer"}, ${overrides.auth_header_name ?? "Authorization"},
      ${
    overrides.secret_name === undefined
      ? `TEST_KEY_${name.replace(/-/g, "_").toUpperCase()}`
      : overrides.secret_name
  },
      ${overrides.webhook_secret_name ?? null}, ${sql.json((overrides.rate_limits ?? {}) as never)},
      ${overrides.allowed_output_hosts ?? ["127.0.0.1"]}, ${overrides.is_active ?? true})
    returning *`;
  return row;
}

/** Creates a model on a provider. */
export async function createTestModel(
  sql: Sql,
  providerId: string,
  overrides: Partial<ModelRow> = {},
): Promise<ModelRow> {
  const modality = overrides.modality ?? "image";
  const [row] = await sql<ModelRow[]>`
    insert into public.api_models (provider_id, model_key, version, display_name, model_family, modality, task,
      input_defaults, capabilities, pricing, is_active, is_default, priority)
    values (${providerId}, ${overrides.model_key ?? `owner/model-${suffix()}`}, ${
    overrides.version ?? null
  },
      ${overrides.display_name ?? "Test model"}, ${overrides.model_family ?? null}, ${modality}, ${
    overrides.task ?? (modality === "chat" ? "chat" : "generation")
  },
      ${sql.json((overrides.input_defaults ?? {}) as never)},
      ${
    sql.json(
      (overrides.capabilities ?? (modality === "video"
        ? videoCapabilities()
        : modality === "image"
        ? imageCapabilities()
        : {})) as never,
    )
  },
      ${
    sql.json(
      (overrides.pricing ?? (modality === "video"
        ? { per_second: { fast: 2, high: 4 } }
        : { per_output: { fast: 1, high: 2 } })) as never,
    )
  },
      ${overrides.is_active ?? true}, ${overrides.is_default ?? false}, ${overrides.priority ?? 0})
    returning *`;
  return row;
}

/** Deletes providers (their models cascade). */
export async function deleteTestProviders(sql: Sql, ...providers: ProviderRow[]): Promise<void> {
  await sql`delete from public.api_providers where id = any(${providers.map((p) => p.id)}::uuid[])`;
}
