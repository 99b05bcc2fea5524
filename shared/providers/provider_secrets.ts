/**
 * Which environment variables the provider registry may read. A provider row names its API key
 * and webhook secret by env var name (`secret_name`, `webhook_secret_name`); whatever a row says,
 * only the names on this allowlist are ever read, so a row that names `JWT_SECRET`, a
 * `SUPABASE_*` key or the database URL is refused instead of sending that secret to the
 * provider's base URL. The database keeps API roles from writing those columns too (migration
 * 20261203000100); this is the second lock.
 */
import type { EnvLookup } from "./provider_config.ts";

/** The provider secrets the project knows (seed.sql's providers). */
export const KNOWN_PROVIDER_SECRETS = [
  "REPLICATE_API_TOKEN",
  "REPLICATE_WEBHOOK_SECRET",
  "OPENROUTER_API_KEY",
  "OPENROUTER_WEBHOOK_SECRET",
  "OPENAI_API_KEY",
] as const;

/** Names that belong to the platform or to us, never to a provider, whatever an allowlist says. */
const PLATFORM_NAME =
  /^(SUPABASE_|SB_|JWT_|DB_|DATABASE_|PG|DENO_|METRICS_TOKEN$|PROVIDER_SECRET_NAMES$|OPENROUTER_BROADCAST_SECRET$)/i;

/** True for a name that may never be read as a provider secret. */
export function isPlatformSecretName(name: string): boolean {
  return PLATFORM_NAME.test(name);
}

/**
 * The allowlist: the known provider secrets plus the operator's `PROVIDER_SECRET_NAMES`
 * (comma-separated, for providers added by a migration), minus any platform name.
 */
export function providerSecretAllowlist(extra = ""): ReadonlySet<string> {
  const names = [...KNOWN_PROVIDER_SECRETS, ...extra.split(",").map((n) => n.trim())];
  return new Set(
    names.filter((n) => /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(n)).filter((n) =>
      !isPlatformSecretName(n)
    ),
  );
}

/** Reads a provider secret: undefined, and a `refused` report, for a name off the allowlist. */
export type SecretLookup = (name: string) => string | undefined;

/**
 * Wraps an env lookup so it serves only allowlisted names. `onRefused` hears each refusal (the
 * registry logs it, naming the variable but never its value).
 */
export function createSecretLookup(
  env: EnvLookup,
  allowlist: ReadonlySet<string>,
  onRefused: (name: string) => void = () => {},
): SecretLookup {
  return (name) => {
    if (!allowlist.has(name) || isPlatformSecretName(name)) {
      onRefused(name);
      return undefined;
    }
    return env(name);
  };
}
