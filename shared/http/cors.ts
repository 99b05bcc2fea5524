/**
 * CORS on every response, errors and preflight included (a browser shows a CORS failure, not
 * the 401, when an error response lacks these headers).
 */

/** Headers supabase-js and browsers send. */
const ALLOW_HEADERS = [
  "authorization",
  "x-client-info",
  "apikey",
  "content-type",
  "idempotency-key",
  "x-request-id",
  "traceparent",
  "tracestate",
  "baggage",
].join(", ");

/** Options for {@link corsHeaders}. */
export interface CorsOptions {
  /** `*` or a list of exact origins. */
  allowedOrigins: "*" | string[];
}

/** Parses `CORS_ALLOWED_ORIGINS` (`*` or comma-separated origins). */
export function parseCorsOrigins(raw: string): "*" | string[] {
  const trimmed = raw.trim();
  return trimmed === "*" ? "*" : trimmed.split(",").map((o) => o.trim()).filter(Boolean);
}

/** The CORS headers for a request from `origin`. */
export function corsHeaders(origin: string | null, opts: CorsOptions): Record<string, string> {
  const base = {
    "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "access-control-allow-headers": ALLOW_HEADERS,
    "access-control-expose-headers": "x-request-id, retry-after, allow",
    "access-control-max-age": "86400",
  };
  if (opts.allowedOrigins === "*") return { ...base, "access-control-allow-origin": "*" };
  if (origin && opts.allowedOrigins.includes(origin)) {
    return { ...base, "access-control-allow-origin": origin, vary: "Origin" };
  }
  return { vary: "Origin" };
}
