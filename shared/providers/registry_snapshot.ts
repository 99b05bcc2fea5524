/**
 * What the registry (registry.ts) loads and keeps per process: the provider and model rows, the
 * models in cooldown, and what is derived from the rows once per change instead of per request —
 * each provider's endpoint (env read once; the SDK clients built on it are kept with it,
 * adapters.ts), each model's parsed capabilities and pricing, and the rank order of each
 * modality and task (which the cooldowns decide, so it is rebuilt when they change).
 */
import type { Tx } from "../db/client.ts";
import * as registryTables from "../db/tables/provider_registry.ts";
import type { Logger } from "../log.ts";
import {
  type MediaCapabilities,
  mediaCapabilitiesSchema,
  type Pricing,
  pricingSchema,
} from "./capabilities.ts";
import {
  type EnvLookup,
  type ProviderEndpoint,
  providerEndpoint,
  type ProviderRow,
} from "./provider_config.ts";
import type { SecretLookup } from "./provider_secrets.ts";

/** A model row as the registry keeps it. */
export interface ModelRow {
  id: string;
  provider_id: string;
  model_key: string;
  version: string | null;
  display_name: string;
  /** The model's family (`sdxl`, `flux`, ...): template and negative-prompt fallbacks use it. */
  model_family: string | null;
  modality: "image" | "video" | "chat" | "audio" | "embedding";
  task: string;
  input_defaults: Record<string, unknown>;
  capabilities: Record<string, unknown>;
  pricing: Record<string, unknown>;
  is_active: boolean;
  is_default: boolean;
  priority: number;
  updated_at: string;
}

/** A model ready to call. Media models carry parsed capabilities and pricing. */
export interface ResolvedModel {
  model: ModelRow;
  provider: ProviderEndpoint;
  capabilities?: MediaCapabilities;
  pricing?: Pricing;
}

/** A model the registry can offer, or why it cannot. */
export type Candidate =
  | ResolvedModel
  | { unusable: string; status: "misconfigured" | "unavailable" };

/** One loaded view of the rows. */
export interface Snapshot {
  fingerprint: string;
  providers: Map<string, ProviderRow>;
  models: ModelRow[];
  cooling: Set<string>;
  /** Each provider's endpoint, built on first use: the same object while the rows are unchanged. */
  endpoints: Map<string, ReturnType<typeof providerEndpoint>>;
  /** Each model's candidate (capabilities and pricing parsed once). */
  candidates: Map<string, Candidate>;
  /** Usable models by `<modality>/<task>` in rank order, for this snapshot's cooldowns. */
  ranked: Map<string, ModelRow[]>;
}

/** Where endpoints read their env and secrets, and where invalid rows are reported. */
export interface SnapshotDeps {
  env: EnvLookup;
  secrets: SecretLookup;
  log: Logger;
}

/**
 * The current rows: `previous` itself with fresh cooldowns when the fingerprint is unchanged (its
 * endpoints and candidates carry over), else a reload.
 */
export async function loadSnapshot(tx: Tx, previous: Snapshot | undefined): Promise<Snapshot> {
  const [head] = await registryTables.fingerprint(tx);
  const cooling = new Set(head.cooling);
  if (previous?.fingerprint === head.fingerprint) {
    return { ...previous, cooling, ranked: new Map() };
  }
  const providers = await registryTables.providers<ProviderRow>(tx);
  const models = await registryTables.models<ModelRow>(tx);
  return {
    fingerprint: head.fingerprint,
    providers: new Map(providers.map((p) => [p.id, p])),
    models,
    cooling,
    endpoints: new Map(),
    candidates: new Map(),
    ranked: new Map(),
  };
}

/** The provider's endpoint in this snapshot, or the env var its secret is missing from. */
export function endpointOf(snap: Snapshot, row: ProviderRow, deps: SnapshotDeps) {
  let ep = snap.endpoints.get(row.id);
  if (!ep) {
    ep = providerEndpoint(row, deps.env, deps.secrets);
    snap.endpoints.set(row.id, ep);
  }
  return ep;
}

/** Usable models of `modality` and `task`, cooled-down last, then default, priority, id. */
export function rankedOf(snap: Snapshot, modality: string, task: string): ModelRow[] {
  const key = `${modality}/${task}`;
  let ranked = snap.ranked.get(key);
  if (!ranked) {
    ranked = snap.models
      .filter((m) => isUsable(snap, m) && m.modality === modality && m.task === task)
      .sort((a, b) =>
        Number(snap.cooling.has(a.id)) - Number(snap.cooling.has(b.id)) ||
        Number(b.is_default) - Number(a.is_default) || b.priority - a.priority ||
        a.id.localeCompare(b.id)
      );
    snap.ranked.set(key, ranked);
  }
  return ranked;
}

/** An active model of an active provider. */
export function isUsable(snap: Snapshot, m: ModelRow): boolean {
  return m.is_active && snap.providers.get(m.provider_id)?.is_active === true;
}

/** The model's candidate in this snapshot (built, and any problem logged, once). */
export function candidateOf(snap: Snapshot, model: ModelRow, deps: SnapshotDeps): Candidate {
  let c = snap.candidates.get(model.id);
  if (!c) {
    c = buildCandidate(snap, model, deps);
    snap.candidates.set(model.id, c);
  }
  return c;
}

function buildCandidate(snap: Snapshot, model: ModelRow, deps: SnapshotDeps): Candidate {
  const row = snap.providers.get(model.provider_id)!;
  const ep = endpointOf(snap, row, deps);
  if ("missingSecret" in ep) {
    // Logged for operators; the caller only learns the model is unavailable.
    deps.log.warn("provider secret missing", { provider: row.name, env_var: ep.missingSecret });
    return { unusable: row.name, status: "unavailable" };
  }
  if (model.modality !== "image" && model.modality !== "video") return { model, provider: ep };
  const caps = mediaCapabilitiesSchema.safeParse(model.capabilities);
  const pricing = pricingSchema.safeParse(model.pricing);
  if (!caps.success || !pricing.success) {
    deps.log.error("invalid model row", {
      model_id: model.id,
      model_key: model.model_key,
      issues: [...(caps.error?.issues ?? []), ...(pricing.error?.issues ?? [])]
        .map((i) => `${i.path.join(".")}: ${i.message}`),
    });
    return { unusable: model.model_key, status: "misconfigured" };
  }
  return { model, provider: ep, capabilities: caps.data, pricing: pricing.data };
}
