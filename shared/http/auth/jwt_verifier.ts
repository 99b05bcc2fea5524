/**
 * Verifies Supabase JWTs: HS256 with the legacy secret, ES256/RS256 with the project's JWKS
 * (inline or fetched and cached). `alg: none`, unknown algorithms, wrong keys, expired or
 * not-yet-valid tokens and garbage are all rejected with a 401.
 */
import * as jose from "jose";
import { AppError } from "../../errors.ts";

/** Claims of a verified token. */
export type VerifiedClaims = jose.JWTPayload & { role?: string; [k: string]: unknown };

/** Options for {@link createJwtVerifier}. */
export interface JwtVerifierOptions {
  /** Legacy HS256 secret. */
  jwtSecret?: string;
  /** Inline key set. */
  jwks?: jose.JSONWebKeySet;
  /** Remote key set (fetched lazily, cached, refetched on an unknown `kid`). */
  jwksUrl?: string;
  /** Required `iss` for asymmetric tokens. */
  issuer?: string;
  /** Required `iss` for HS256 tokens (unset: not checked, as legacy keys use other issuers). */
  hsIssuer?: string;
  /** Seconds of clock skew tolerated. @default 5 */
  clockTolerance?: number;
  /** Injected clock for `exp`/`nbf`. */
  now?: () => Date;
  /**
   * Seconds a verified token is remembered, so a client polling with the same token costs no
   * signature check per request (`exp` is still checked on every use). 0 turns it off.
   * @default 60
   */
  cacheSeconds?: number;
  /** Tokens remembered at most (the oldest are dropped first). @default 1000 */
  cacheSize?: number;
}

/** Verifies a compact JWT and returns its claims. */
export type JwtVerifier = (token: string) => Promise<VerifiedClaims>;

const unauthorized = (message: string, cause?: unknown) =>
  new AppError("UNAUTHORIZED", message, { cause });

/** Builds a verifier from the configured key material. */
export function createJwtVerifier(opts: JwtVerifierOptions): JwtVerifier {
  const secret = opts.jwtSecret ? new TextEncoder().encode(opts.jwtSecret) : undefined;
  const keySet = opts.jwks
    ? jose.createLocalJWKSet(opts.jwks)
    : opts.jwksUrl
    ? jose.createRemoteJWKSet(new URL(opts.jwksUrl), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: 3_000,
    })
    : undefined;

  const verify = async (token: string) => {
    let alg: string | undefined;
    try {
      alg = jose.decodeProtectedHeader(token).alg;
    } catch (err) {
      throw unauthorized("Malformed token", err);
    }
    const common = {
      clockTolerance: opts.clockTolerance ?? 5,
      currentDate: opts.now?.(),
    };
    try {
      if (alg === "HS256" && secret) {
        const { payload } = await jose.jwtVerify(token, secret, {
          ...common,
          algorithms: ["HS256"],
          issuer: opts.hsIssuer,
        });
        return payload as VerifiedClaims;
      }
      if ((alg === "ES256" || alg === "RS256") && keySet) {
        const { payload } = await jose.jwtVerify(token, keySet, {
          ...common,
          algorithms: ["ES256", "RS256"],
          issuer: opts.issuer,
        });
        return payload as VerifiedClaims;
      }
    } catch (err) {
      if (err instanceof jose.errors.JWTExpired) throw unauthorized("Token expired", err);
      if (err instanceof jose.errors.JWTClaimValidationFailed) {
        throw unauthorized(`Token claim "${err.claim}" is invalid`, err);
      }
      throw unauthorized("Invalid token", err);
    }
    throw unauthorized(`Token algorithm ${JSON.stringify(alg ?? null)} is not accepted`);
  };
  const cacheMs = (opts.cacheSeconds ?? 60) * 1000;
  if (cacheMs <= 0) return verify;
  return rememberVerified(verify, {
    ttlMs: cacheMs,
    size: opts.cacheSize ?? 1000,
    toleranceMs: (opts.clockTolerance ?? 5) * 1000,
    now: () => (opts.now?.() ?? new Date()).getTime(),
  });
}

/**
 * Wraps a verifier with a bounded memory of tokens it accepted. Only successes are kept, keyed
 * by the whole token string (so a different signature is a different key), for at most `ttlMs`
 * (a key rotated out stops being honoured within that time) and never past the token's `exp`.
 */
export function rememberVerified(
  verify: JwtVerifier,
  opts: { ttlMs: number; size: number; toleranceMs: number; now: () => number },
): JwtVerifier {
  const seen = new Map<string, { claims: VerifiedClaims; until: number }>();
  return async (token: string) => {
    const now = opts.now();
    const hit = seen.get(token);
    if (hit && now < hit.until) return hit.claims;
    if (hit) seen.delete(token);
    const claims = await verify(token);
    const expires = typeof claims.exp === "number"
      ? claims.exp * 1000 + opts.toleranceMs
      : Infinity;
    if (seen.size >= opts.size) seen.delete(seen.keys().next().value!);
    seen.set(token, { claims: Object.freeze(claims), until: Math.min(now + opts.ttlMs, expires) });
    return claims;
  };
}
