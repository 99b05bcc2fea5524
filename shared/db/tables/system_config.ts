/**
 * Typed reader of the `system_config` settings that TypeScript acts on (the ones SQL reads,
 * such as `max_active_jobs_per_user`, are read by the SQL functions themselves; the full table
 * of keys, defaults and readers is in docs/database.md). Each key has a code default, used when
 * the key is missing or malformed, so an admin's typo degrades to the default instead of
 * breaking dispatch. Values are cached per process for a short TTL: a change made by an admin
 * takes effect within that time without a query per use.
 */
import { z } from "zod";
import type { Sql, Tx } from "../client.ts";
import { asService } from "../scopes.ts";

/**
 * An integer setting: a JSON number, floored, within [min, max]; anything else is `fallback`
 * (the same rule as the SQL `public.setting_integer`).
 */
function integerSetting(fallback: number, min: number, max: number) {
  return z.number().transform(Math.floor).pipe(z.number().min(min).max(max)).catch(fallback);
}

/** The settings TypeScript reads, with their code defaults (also what seed.sql sets). */
export const settingsSchema = z.object({
  /** Seconds a dispatcher's claim on a job lasts before another run may take the job over. */
  job_lease_seconds: integerSetting(120, 5, 3600),
  /** Earlier messages of a conversation sent with each chat turn (playground-chat). */
  chat_history_messages: integerSetting(20, 0, 200),
});

/** The settings TypeScript reads. */
export type Settings = z.output<typeof settingsSchema>;

/** Every setting at its code default. */
export const SETTING_DEFAULTS: Readonly<Settings> = Object.freeze(settingsSchema.parse({}));

/** The settings in a `system_config.config` object; other keys are ignored. */
export function parseSettings(config: unknown): Settings {
  const object = typeof config === "object" && config !== null && !Array.isArray(config)
    ? config
    : {};
  return settingsSchema.parse(object);
}

/** The statement reading the config row, unsent: a scope that returns it sends it in one trip. */
function configRowStatement(tx: Tx) {
  return tx<{ config: unknown }[]>`select config from public.system_config where id = 1`;
}

/** Reads the settings in `tx` (defaults when the row is missing). */
export async function selectSettings(tx: Tx): Promise<Settings> {
  const [row] = await configRowStatement(tx);
  return parseSettings(row?.config);
}

/** Options of {@link createSettingsReader}. */
export interface SettingsReaderOptions {
  /** How long a read is reused. @default 30000 */
  ttlMs?: number;
  /** Injected clock, in milliseconds. @default Date.now */
  now?: () => number;
}

/** Cached access to the settings. */
export interface SettingsReader {
  /**
   * The settings, from the cache while it is fresh. Concurrent callers share one query; a
   * failed read is not cached (the next call tries again) and rejects.
   */
  get(): Promise<Settings>;
}

/** A reader over `db` with its own cache. */
export function createSettingsReader(db: Sql, opts: SettingsReaderOptions = {}): SettingsReader {
  const ttlMs = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  let cached: { value: Settings; at: number } | undefined;
  let pending: Promise<Settings> | undefined;
  return {
    get() {
      if (cached && now() - cached.at < ttlMs) return Promise.resolve(cached.value);
      pending ??= (async () => {
        try {
          // Service path: system_config is admin-only under RLS, and these settings steer the
          // server's own work (dispatch, chat context), not any one user's data.
          const [row] = await asService(db, configRowStatement);
          const value = parseSettings(row?.config);
          cached = { value, at: now() };
          return value;
        } finally {
          pending = undefined;
        }
      })();
      return pending;
    },
  };
}

// One reader per pool, so every caller in a process shares the cache without wiring.
const readers = new WeakMap<Sql, SettingsReader>();

/** The settings through the process-wide reader of `db` (30 s cache). */
export function readSettings(db: Sql): Promise<Settings> {
  let reader = readers.get(db);
  if (!reader) readers.set(db, reader = createSettingsReader(db));
  return reader.get();
}
