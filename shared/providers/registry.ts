/**
 * Resolves which model (and provider) serves a request, from `api_models` + `api_providers`:
 * an explicit model id or key (active, of the requested modality), else the default for
 * (modality, task), then the remaining active models by priority as fallbacks. Models in
 * cooldown go last; providers without their secret and models with invalid capabilities are
 * skipped (or, when asked for explicitly, reported). Rows are cached per process and reloaded
 * when a cheap fingerprint (max updated_at and count) changes.
 */
import type { Sql } from "../db/client.ts";
import { asService } from "../db/scopes.ts";
import * as registryTables from "../db/tables/provider_registry.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import {
  type MediaCapabilities,
  mediaCapabilitiesSchema,
  type Pricing,
  pricingSchema,
} from "./capabilities.ts";
import {
  type EnvLookup,
  envPrefix,
  type ProviderEndpoint,
  providerEndpoint,
  type ProviderRow,
} from "./provider_config.ts";
import {
  createSecretLookup,
  providerSecretAllowlist,
  type SecretLookup,
} from "./provider_secrets.ts";

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

/** What to resolve. */
export interface ResolveRequest {
  modality: "image" | "video" | "chat";
  /** Defaults to `generation` for media and `chat` for chat. */
  task?: string;
  modelId?: string;
  modelKey?: string;
  /** The reference frontend's job_type, matched against capabilities.legacy_job_types. */
  legacyJobType?: string;
}

/** The chosen model and the fallback order behind it. */
export interface Resolution {
  primary: ResolvedModel;
  fallbacks: ResolvedModel[];
}

interface Snapshot {
  fingerprint: string;
  providers: Map<string, ProviderRow>;
  models: ModelRow[];
  cooling: Set<string>;
  /**
   * Each provider's endpoint, built on first use and kept while the rows are unchanged: the
   * same object every time, so the clients built on it are reused (adapters.ts), and the env is
   * read once per provider rather than per request.
   */
  endpoints: Map<string, ReturnType<typeof providerEndpoint>>;
  /** Each model's candidate (capabilities and pricing parsed once), kept like `endpoints`. */
  candidates: Map<string, Candidate>;
  /** Usable models by `<modality>/<task>` in rank order; cooling decides it, so it is per snapshot. */
  ranked: Map<string, ModelRow[]>;
}

/** Options for {@link ProviderRegistry}. */
export interface RegistryOptions {
  db: Sql;
  env: EnvLookup;
  log: Logger;
  /**
   * The env var names provider rows may name as secrets (default: the known provider secrets).
   * A row naming anything else is unusable, and the refusal is logged.
   */
  secretAllowlist?: ReadonlySet<string>;
  /** How long a loaded snapshot is trusted before the fingerprint is checked. @default 5000 */
  ttlMs?: number;
  now?: () => number;
}

type Candidate = ResolvedModel | { unusable: string; status: "misconfigured" | "unavailable" };

/** The provider/model registry. */
export class ProviderRegistry {
  #opts: RegistryOptions;
  #snapshot?: Snapshot;
  #checkedAt = 0;
  #loading?: Promise<Snapshot>;
  #secrets: SecretLookup;

  constructor(opts: RegistryOptions) {
    this.#opts = opts;
    this.#secrets = createSecretLookup(
      opts.env,
      opts.secretAllowlist ?? providerSecretAllowlist(),
      (name) => opts.log.error("provider secret name not allowed", { env_var: name }),
    );
  }

  /** Drops the cache (tests and admin tooling). */
  invalidate(): void {
    this.#snapshot = undefined;
    this.#checkedAt = 0;
  }

  /** The provider row by name (active or not), for webhook verification. */
  async providerByName(name: string): Promise<ProviderRow | undefined> {
    const find = (snap: Snapshot) => [...snap.providers.values()].find((p) => p.name === name);
    return find(await this.#current()) ?? find(await this.#current(true));
  }

  /** Every provider row (active or not) that speaks through `adapter`. */
  async providersWithAdapter(adapter: ProviderRow["adapter"]): Promise<ProviderRow[]> {
    return [...(await this.#current()).providers.values()].filter((p) => p.adapter === adapter);
  }

  /** A callable endpoint for a provider row, or undefined when its secret is missing. */
  endpoint(row: ProviderRow): ProviderEndpoint | undefined {
    const snap = this.#snapshot;
    const ep = snap?.providers.get(row.id) === row
      ? this.#endpointOf(snap, row)
      : providerEndpoint(row, this.#opts.env, this.#secrets);
    return "missingSecret" in ep ? undefined : ep;
  }

  #endpointOf(snap: Snapshot, row: ProviderRow) {
    let ep = snap.endpoints.get(row.id);
    if (!ep) {
      ep = providerEndpoint(row, this.#opts.env, this.#secrets);
      snap.endpoints.set(row.id, ep);
    }
    return ep;
  }

  /**
   * The provider's webhook signing secret (`webhook_secret_name`, else `<NAME>_WEBHOOK_SECRET`),
   * read through the same allowlist as API keys; undefined when unset or not allowed.
   */
  webhookSecret(row: ProviderRow): string | undefined {
    return this.#secrets(row.webhook_secret_name ?? `${envPrefix(row.name)}_WEBHOOK_SECRET`);
  }

  /** Whether the model is in a failure cooldown. */
  async isCooling(modelId: string): Promise<boolean> {
    return (await this.#current()).cooling.has(modelId);
  }

  /** A model by id with its provider, whatever its state (for jobs already priced on it). */
  async modelById(id: string): Promise<ResolvedModel | undefined> {
    let snap = await this.#current();
    if (!snap.models.some((m) => m.id === id)) snap = await this.#current(true);
    const model = snap.models.find((m) => m.id === id);
    if (!model) return undefined;
    const c = this.#candidate(snap, model);
    return "unusable" in c ? undefined : c;
  }

  /**
   * Resolves a request.
   * @throws {AppError} BAD_REQUEST for an unknown, inactive or wrong-modality explicit model;
   *   UNAVAILABLE when no usable model remains
   */
  async resolve(req: ResolveRequest): Promise<Resolution> {
    let snap = await this.#current();
    const named = (m: ModelRow) =>
      m.id === req.modelId || m.model_key === req.modelKey ||
      (req.legacyJobType !== undefined &&
        (m.capabilities.legacy_job_types as unknown[] | undefined)?.includes(req.legacyJobType) ===
          true);
    // A model added a moment ago must not look unknown because of the cache.
    if ((req.modelId || req.modelKey || req.legacyJobType) && !snap.models.some(named)) {
      snap = await this.#current(true);
    }
    const task = req.task ?? (req.modality === "chat" ? "chat" : "generation");
    const usable = (m: ModelRow) =>
      m.is_active && snap.providers.get(m.provider_id)?.is_active === true;
    const rankKey = `${req.modality}/${task}`;
    let ranked = snap.ranked.get(rankKey);
    if (!ranked) {
      ranked = snap.models
        .filter((m) => usable(m) && m.modality === req.modality && m.task === task)
        .sort((a, b) =>
          Number(snap.cooling.has(a.id)) - Number(snap.cooling.has(b.id)) ||
          Number(b.is_default) - Number(a.is_default) || b.priority - a.priority ||
          a.id.localeCompare(b.id)
        );
      snap.ranked.set(rankKey, ranked);
    }

    let explicit: ModelRow | undefined;
    if (req.modelId || req.modelKey || req.legacyJobType) {
      const label = req.modelId ?? req.modelKey ?? req.legacyJobType!;
      const field = req.modelId ? "model_id" : req.modelKey ? "model_key" : "job_type";
      const matches = snap.models
        .filter((m) =>
          req.modelId
            ? m.id === req.modelId
            : req.modelKey
            ? m.model_key === req.modelKey
            : (m.capabilities.legacy_job_types as unknown[] | undefined)?.includes(
              req.legacyJobType,
            )
        )
        .filter(usable)
        .sort((a, b) => b.priority - a.priority);
      explicit = matches.find((m) => m.modality === req.modality) ?? matches[0];
      if (!explicit) throw badModel(field, `Model ${JSON.stringify(label)} is not available`);
      if (explicit.modality !== req.modality) {
        throw badModel(field, `Model ${JSON.stringify(label)} does not generate ${req.modality}`);
      }
      const c = this.#candidate(snap, explicit);
      if ("unusable" in c) {
        throw new AppError(
          "UNAVAILABLE",
          `Model ${JSON.stringify(label)} is temporarily unavailable`,
          { retryAfter: 60 },
        );
      }
    }

    const order = explicit ? [explicit, ...ranked.filter((m) => m.id !== explicit!.id)] : ranked;
    const resolved = order.map((m) => this.#candidate(snap, m)).filter((c): c is ResolvedModel =>
      !("unusable" in c)
    );
    if (resolved.length === 0) {
      throw new AppError("UNAVAILABLE", `No model is available for ${req.modality} ${task}`, {
        retryAfter: 60,
      });
    }
    return { primary: resolved[0], fallbacks: resolved.slice(1) };
  }

  #candidate(snap: Snapshot, model: ModelRow): Candidate {
    let c = snap.candidates.get(model.id);
    if (!c) {
      c = this.#buildCandidate(snap, model);
      snap.candidates.set(model.id, c);
    }
    return c;
  }

  #buildCandidate(snap: Snapshot, model: ModelRow): Candidate {
    const row = snap.providers.get(model.provider_id)!;
    const ep = this.#endpointOf(snap, row);
    if ("missingSecret" in ep) {
      // Logged for operators; the caller only learns the model is unavailable.
      this.#opts.log.warn("provider secret missing", {
        provider: row.name,
        env_var: ep.missingSecret,
      });
      return { unusable: row.name, status: "unavailable" };
    }
    if (model.modality !== "image" && model.modality !== "video") return { model, provider: ep };
    const caps = mediaCapabilitiesSchema.safeParse(model.capabilities);
    const pricing = pricingSchema.safeParse(model.pricing);
    if (!caps.success || !pricing.success) {
      this.#opts.log.error("invalid model row", {
        model_id: model.id,
        model_key: model.model_key,
        issues: [...(caps.error?.issues ?? []), ...(pricing.error?.issues ?? [])]
          .map((i) => `${i.path.join(".")}: ${i.message}`),
      });
      return { unusable: model.model_key, status: "misconfigured" };
    }
    return { model, provider: ep, capabilities: caps.data, pricing: pricing.data };
  }

  async #current(force = false): Promise<Snapshot> {
    const now = (this.#opts.now ?? Date.now)();
    if (!force && this.#snapshot && now - this.#checkedAt < (this.#opts.ttlMs ?? 5000)) {
      return this.#snapshot;
    }
    this.#loading ??= this.#refresh().finally(() => (this.#loading = undefined));
    const snap = await this.#loading;
    this.#checkedAt = now;
    return snap;
  }

  async #refresh(): Promise<Snapshot> {
    // Service path: secret_name columns are not readable by users, and the registry is server
    // configuration rather than something a user asks for.
    return await asService(this.#opts.db, async (tx) => {
      const [head] = await registryTables.fingerprint(tx);
      const cooling = new Set(head.cooling);
      if (this.#snapshot?.fingerprint === head.fingerprint) {
        // Rows unchanged: endpoints and candidates carry over, the ranking follows the cooling.
        this.#snapshot = { ...this.#snapshot, cooling, ranked: new Map() };
        return this.#snapshot;
      }
      const providers = await registryTables.providers<ProviderRow>(tx);
      const models = await registryTables.models<ModelRow>(tx);
      this.#snapshot = {
        fingerprint: head.fingerprint,
        providers: new Map(providers.map((p) => [p.id, p])),
        models,
        cooling,
        endpoints: new Map(),
        candidates: new Map(),
        ranked: new Map(),
      };
      return this.#snapshot;
    });
  }
}

function badModel(field: string, message: string): AppError {
  return new AppError("BAD_REQUEST", message, { details: [{ field, message }] });
}
