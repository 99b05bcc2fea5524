/**
 * Fixtures for provider tests: uniquely named providers and models (so tests never depend on
 * seed.sql or on each other), with capabilities that pass the schema (simulators/).
 */
import type { Sql } from "../../shared/db/client.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";
import { type ModelRow, ProviderRegistry } from "../../shared/providers/registry.ts";
import { createLogger } from "../../shared/log.ts";
import { imageCapabilities, videoCapabilities } from "../../simulators/model_capabilities.ts";

export { imageCapabilities, videoCapabilities };

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

/**
 * A registry over the test database that reads secrets from `env` alone (every name in it
 * allowlisted), logs errors only and checks the rows on every resolve.
 */
export function testRegistry(sql: Sql, env: Map<string, string>): ProviderRegistry {
  return new ProviderRegistry({
    db: sql,
    env: (k) => env.get(k),
    secretAllowlist: new Set(env.keys()),
    log: createLogger({ level: "error" }),
    ttlMs: 0,
  });
}
