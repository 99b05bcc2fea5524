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
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
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
import {
  candidateOf,
  endpointOf,
  isUsable,
  loadSnapshot,
  type ModelRow,
  rankedOf,
  type ResolvedModel,
  type Snapshot,
  type SnapshotDeps,
} from "./registry_snapshot.ts";

export type { ModelRow, ResolvedModel } from "./registry_snapshot.ts";

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

/** The provider/model registry. */
export class ProviderRegistry {
  #opts: RegistryOptions;
  #snapshot?: Snapshot;
  #checkedAt = 0;
  #loading?: Promise<Snapshot>;
  #secrets: SecretLookup;
  #deps: SnapshotDeps;

  constructor(opts: RegistryOptions) {
    this.#opts = opts;
    this.#secrets = createSecretLookup(
      opts.env,
      opts.secretAllowlist ?? providerSecretAllowlist(),
      (name) => opts.log.error("provider secret name not allowed", { env_var: name }),
    );
    this.#deps = { env: opts.env, secrets: this.#secrets, log: opts.log };
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
      ? endpointOf(snap, row, this.#deps)
      : providerEndpoint(row, this.#opts.env, this.#secrets);
    return "missingSecret" in ep ? undefined : ep;
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
    const c = candidateOf(snap, model, this.#deps);
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
    const ranked = rankedOf(snap, req.modality, task);

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
        .filter((m) => isUsable(snap, m))
        .sort((a, b) => b.priority - a.priority);
      explicit = matches.find((m) => m.modality === req.modality) ?? matches[0];
      if (!explicit) throw badModel(field, `Model ${JSON.stringify(label)} is not available`);
      if (explicit.modality !== req.modality) {
        throw badModel(field, `Model ${JSON.stringify(label)} does not generate ${req.modality}`);
      }
      const c = candidateOf(snap, explicit, this.#deps);
      if ("unusable" in c) {
        throw new AppError(
          "UNAVAILABLE",
          `Model ${JSON.stringify(label)} is temporarily unavailable`,
          { retryAfter: 60 },
        );
      }
    }

    const order = explicit ? [explicit, ...ranked.filter((m) => m.id !== explicit!.id)] : ranked;
    const resolved = order.map((m) => candidateOf(snap, m, this.#deps)).filter((
      c,
    ): c is ResolvedModel => !("unusable" in c));
    if (resolved.length === 0) {
      throw new AppError("UNAVAILABLE", `No model is available for ${req.modality} ${task}`, {
        retryAfter: 60,
      });
    }
    return { primary: resolved[0], fallbacks: resolved.slice(1) };
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
    this.#snapshot = await asService(this.#opts.db, (tx) => loadSnapshot(tx, this.#snapshot));
    return this.#snapshot;
  }
}

function badModel(field: string, message: string): AppError {
  return new AppError("BAD_REQUEST", message, { details: [{ field, message }] });
}
