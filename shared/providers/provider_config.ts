/**
 * How to reach a provider: its base URL (overridable by `<NAME>_BASE_URL`), the auth header
 * built from `auth_scheme`/`auth_header_name` and the key in the env var `secret_name`, and
 * the hosts outputs may come from (overridable by `<NAME>_OUTPUT_HOSTS`).
 */

/** A provider row as the registry keeps it (secret names stay server-side). */
export interface ProviderRow {
  id: string;
  name: string;
  adapter: "replicate" | "openrouter" | "openai_compatible";
  base_url: string;
  auth_scheme: "bearer" | "token" | "header" | "none";
  auth_header_name: string;
  secret_name: string | null;
  webhook_secret_name: string | null;
  rate_limits: Record<string, unknown>;
  allowed_output_hosts: string[];
  is_active: boolean;
  updated_at: string;
}

/** Reads an env var (injected, so nothing reads the environment at module level). */
export type EnvLookup = (name: string) => string | undefined;

/** A provider ready to call. */
export interface ProviderEndpoint {
  row: ProviderRow;
  baseUrl: string;
  /** Header name → value; empty for `auth_scheme = none`. */
  authHeaders: Record<string, string>;
  /** The raw key, for SDKs that build their own header. */
  apiKey?: string;
  allowedOutputHosts: string[];
}

/** `openai` → `OPENAI`, `my-provider` → `MY_PROVIDER`. */
export function envPrefix(providerName: string): string {
  return providerName.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/**
 * Builds the endpoint, or returns why the provider is unavailable (a missing secret). `env`
 * serves the `<NAME>_BASE_URL` / `<NAME>_OUTPUT_HOSTS` overrides; the key is read through
 * `secrets`, which serves only allowlisted provider secrets (provider_secrets.ts).
 */
export function providerEndpoint(
  row: ProviderRow,
  env: EnvLookup,
  secrets: EnvLookup,
): ProviderEndpoint | { missingSecret: string } {
  const prefix = envPrefix(row.name);
  const baseUrl = (env(`${prefix}_BASE_URL`) ?? row.base_url).replace(/\/+$/, "");
  const hostsOverride = env(`${prefix}_OUTPUT_HOSTS`);
  const allowedOutputHosts = hostsOverride
    ? hostsOverride.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean)
    : row.allowed_output_hosts.map((h) => h.toLowerCase());
  if (row.auth_scheme === "none") return { row, baseUrl, authHeaders: {}, allowedOutputHosts };
  const apiKey = row.secret_name ? secrets(row.secret_name) : undefined;
  if (!apiKey) return { missingSecret: row.secret_name ?? `${prefix}_API_KEY` };
  const value = row.auth_scheme === "bearer"
    ? `Bearer ${apiKey}`
    : row.auth_scheme === "token"
    ? `Token ${apiKey}`
    : apiKey;
  return {
    row,
    baseUrl,
    authHeaders: { [row.auth_header_name]: value },
    apiKey,
    allowedOutputHosts,
  };
}

/** True when `url` is https (or http on loopback) on one of the allowed hosts. */
export function isAllowedOutputUrl(url: string, allowedHosts: string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) return false;
  if (parsed.username || parsed.password) return false;
  // An empty entry would match any host ending in a dot; entries are compared lower-cased.
  return allowedHosts.map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0).some((
    allowed,
  ) => host === allowed || host.endsWith(`.${allowed}`));
}
