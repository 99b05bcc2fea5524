/**
 * The active prompt templates and negative prompts, cached per process. A change in either table
 * is seen within `checkMs` (a fingerprint query, max(updated_at) and row count, decides whether
 * to reload), or at once after {@link PromptCatalog.invalidate} (the admin refresh route). The
 * reference system kept this cache in system_config under keys its readers never matched, so it
 * never hit; this one is measured (`cacheHit` in each answer).
 */
import type { Sql } from "../db/client.ts";
import { asService } from "../db/scopes.ts";
import * as prompts from "../db/tables/prompt_templates.ts";

/** One loaded view of both tables. */
export interface PromptSnapshot {
  templates: readonly prompts.TemplateRow[];
  negatives: readonly prompts.NegativePromptRow[];
  loadedAt: number;
}

/** Options for {@link PromptCatalog}. */
export interface PromptCatalogOptions {
  db: Sql;
  /** How long a snapshot is trusted before the fingerprint is checked. @default 5000 */
  checkMs?: number;
  now?: () => number;
}

/** The per-process cache. */
export class PromptCatalog {
  #opts: PromptCatalogOptions;
  #snapshot?: PromptSnapshot & { fingerprint: string };
  #checkedAt = 0;
  #loading?: Promise<PromptSnapshot & { fingerprint: string }>;

  constructor(opts: PromptCatalogOptions) {
    this.#opts = opts;
  }

  /** Drops the cache: the next read loads both tables afresh. */
  invalidate(): void {
    this.#snapshot = undefined;
    this.#checkedAt = 0;
  }

  /**
   * The current snapshot, and whether it came from the cache without a reload. `recheck` asks
   * the database's fingerprint now (a lookup that found nothing: a row added a moment ago must
   * not look missing because of the cache).
   */
  async read(recheck = false): Promise<{ snapshot: PromptSnapshot; cacheHit: boolean }> {
    const now = (this.#opts.now ?? Date.now)();
    if (!recheck && this.#snapshot && now - this.#checkedAt < (this.#opts.checkMs ?? 5000)) {
      return { snapshot: this.#snapshot, cacheHit: true };
    }
    const before = this.#snapshot;
    this.#loading ??= this.#refresh().finally(() => (this.#loading = undefined));
    const snapshot = await this.#loading;
    this.#checkedAt = now;
    return { snapshot, cacheHit: snapshot === before };
  }

  async #refresh() {
    // Service path: templates and negative prompts are admin-only configuration the server reads.
    return await asService(this.#opts.db, async (tx) => {
      const [{ fingerprint }] = await prompts.fingerprint(tx);
      if (this.#snapshot?.fingerprint === fingerprint) return this.#snapshot;
      const [templates, negatives] = [
        await prompts.activeTemplates(tx),
        await prompts.activeNegativePrompts(tx),
      ];
      this.#snapshot = {
        fingerprint,
        templates,
        negatives,
        loadedAt: (this.#opts.now ?? Date.now)(),
      };
      return this.#snapshot;
    });
  }
}
