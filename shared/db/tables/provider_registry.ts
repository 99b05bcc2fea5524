/**
 * Reads of the provider registry (api_providers, api_models, api_model_health) for the
 * registry's per-process snapshot. Service path: secret names are not readable by users, and
 * the registry is server configuration, not something a user asks for. Returned unsent.
 */
import type { Tx } from "../client.ts";

/** A cheap fingerprint of both tables (max updated_at and row count) and the models cooling down. */
export function fingerprint(tx: Tx) {
  return tx<{ fingerprint: string; cooling: string[] }[]>`
    select
      (select coalesce(max(updated_at)::text, '') || ':' || count(*) from public.api_providers) || '|' ||
      (select coalesce(max(updated_at)::text, '') || ':' || count(*) from public.api_models) as fingerprint,
      array(select model_id::text from public.api_model_health where cooldown_until > now()) as cooling`;
}

/** Every provider row, with the columns the registry uses. */
export function providers<Row extends object>(tx: Tx) {
  return tx<Row[]>`
    select id, name, adapter, base_url, auth_scheme, auth_header_name, secret_name, webhook_secret_name,
      rate_limits, allowed_output_hosts, is_active, updated_at from public.api_providers`;
}

/** Every model row, with the columns the registry uses. */
export function models<Row extends object>(tx: Tx) {
  return tx<Row[]>`
    select id, provider_id, model_key, version, display_name, model_family, modality, task, input_defaults, capabilities,
      pricing, is_active, is_default, priority, updated_at from public.api_models`;
}
