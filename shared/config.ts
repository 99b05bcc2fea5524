/**
 * The environment every function reads, parsed once per process with zod. A missing or
 * malformed variable fails fast with a message naming it.
 */
import { z } from "zod";

const jsonRecord = z.string().transform((raw, ctx) => {
  try {
    const parsed = JSON.parse(raw);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch { /* reported below */ }
  ctx.addIssue({ code: "custom", message: "must be a JSON object" });
  return z.NEVER;
});

const boolString = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

/** The env schema. */
export const envSchema = z.object({
  /** Postgres connection (Supabase sets it for every deployed function). */
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"),
  /**
   * Transaction-pooler connection to use instead of SUPABASE_DB_URL (which is the direct
   * connection on hosted projects; custom secrets cannot be named SUPABASE_*).
   */
  DB_POOLER_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
  /** The project URL: Storage, and the JWKS at /auth/v1/.well-known/jwks.json. */
  SUPABASE_URL: z.url(),
  /** Legacy HS256 JWT secret (custom secret names may not start with SUPABASE_). */
  JWT_SECRET: z.string().min(32).optional(),
  /** Inline JWKS (the platform sets it for projects on the new signing keys). */
  SUPABASE_JWKS: jsonRecord.optional(),
  /** Overrides the JWKS URL (default SUPABASE_URL/auth/v1/.well-known/jwks.json). */
  SUPABASE_JWKS_URL: z.url().optional(),
  /** Expected `iss` of user tokens; default SUPABASE_URL/auth/v1 for asymmetric tokens. */
  JWT_ISSUER: z.string().optional(),
  /** Named secret API keys (`{"default": "sb_secret_..."}`) accepted on service routes. */
  SUPABASE_SECRET_KEYS: jsonRecord.optional(),
  SUPABASE_SECRET_KEY: z.string().min(1).optional(),
  /** Service-role key (Storage client). */
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  SUPABASE_ANON_KEY: z.string().min(1).optional(),
  /** Public base URL of the functions, for provider webhooks (default SUPABASE_URL/functions/v1). */
  PUBLIC_FUNCTIONS_URL: z.url().optional(),
  /** Connections per process. */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(50).default(4),
  /** Prepared statements; off by default on the transaction pooler (port 6543). */
  DB_PREPARE: boolString.optional(),
  /**
   * Provider callbacks handled at once per instance; up to 8 times as many wait (≤ 10 s) for a
   * turn, more get 503 + Retry-After (providers deliver again, the reconciler catches the
   * rest). Each one running holds an output download and upload.
   */
  WEBHOOK_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(32),
  /**
   * `false` stops `POST /queue-job` from starting a dispatch run after each enqueue: new jobs
   * then wait for the scheduled run. Only for measuring enqueue alone (the benchmark's
   * enqueue-only diagnostic); production keeps the default.
   */
  DISPATCH_AFTER_ENQUEUE: boolString.default(true),
  /**
   * Env var names, comma-separated, that provider rows may name as secrets besides the known
   * ones (REPLICATE_API_TOKEN, OPENROUTER_API_KEY, ...): for a provider added by a migration.
   * Platform names (SUPABASE_*, JWT_*, DB_*, ...) are refused whatever this says.
   */
  PROVIDER_SECRET_NAMES: z.string().max(4000).default(""),
  /** Static secret OpenRouter Broadcast sends in `X-Broadcast-Secret` (cost traces). */
  OPENROUTER_BROADCAST_SECRET: z.string().min(1).optional(),
  /**
   * Bearer token a Prometheus scraper sends to `GET /system-metrics/prometheus` instead of an
   * admin JWT (compared in constant time). Unset: only admins can scrape.
   */
  METRICS_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
  /** Comma-separated allowed origins, or `*`. */
  CORS_ALLOWED_ORIGINS: z.string().default("*"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Port for `Deno.serve` when run as a plain process (the edge runtime ignores it). */
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
});

/** Parsed configuration. */
export type Config = z.infer<typeof envSchema>;

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Parses the environment. Pass `Deno.env.toObject()` from an entrypoint; tests pass a record.
 * @throws {ConfigError} naming each missing or invalid variable
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "environment";
    const missing = env[String(issue.path[0])] === undefined;
    return missing ? `${name} is missing` : `${name} ${issue.message}`;
  });
  throw new ConfigError(`Invalid environment: ${problems.join("; ")}`);
}

/** The secret API keys accepted on service routes. */
export function secretApiKeys(config: Config): string[] {
  const named = Object.values(config.SUPABASE_SECRET_KEYS ?? {}).filter(
    (v): v is string => typeof v === "string" && v.length > 0,
  );
  return config.SUPABASE_SECRET_KEY ? [...named, config.SUPABASE_SECRET_KEY] : named;
}
