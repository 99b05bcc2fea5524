/**
 * Verifies Supabase JWTs: HS256 with the legacy secret, ES256/RS256 with the project's JWKS
 * (inline or fetched and cached). `alg: none`, unknown algorithms, wrong keys, garbage, tokens
 * without `exp`, expired ones and ones whose `nbf` or `iat` is ahead of our clock by more than the
 * tolerance are all rejected with a 401.
 */
import * as jose from "jose";
import { AppError } from "../../errors.ts";
import { rememberVerified } from "./verified_cache.ts";

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
  /** Seconds of clock skew tolerated for `exp`, `nbf` and `iat`. @default 30 */
  clockTolerance?: number;
  /** Injected clock for `exp`/`nbf`/`iat`. */
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

/** Clock skew tolerated by default: enough for drifting clocks, far less than a token's life. */
const DEFAULT_TOLERANCE_SECONDS = 30;

/**
 * jose checks `iat` only together with a maximum token age, which would also make `iat`
 * required, and the CLI's standard keys carry none. So: checked when present.
 */
function checkIssuedAt(payload: jose.JWTPayload, nowSeconds: number, tolerance: number): void {
  if (typeof payload.iat === "number" && payload.iat > nowSeconds + tolerance) {
    throw unauthorized('Token claim "iat" is invalid');
  }
}

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

  const tolerance = opts.clockTolerance ?? DEFAULT_TOLERANCE_SECONDS;
  const verify = async (token: string) => {
    let alg: string | undefined;
    try {
      alg = jose.decodeProtectedHeader(token).alg;
    } catch (err) {
      throw unauthorized("Malformed token", err);
    }
    const currentDate = opts.now?.() ?? new Date();
    const common = {
      clockTolerance: tolerance,
      currentDate,
      // A token without exp would be good forever.
      requiredClaims: ["exp"],
    };
    try {
      if (alg === "HS256" && secret) {
        const { payload } = await jose.jwtVerify(token, secret, {
          ...common,
          algorithms: ["HS256"],
          issuer: opts.hsIssuer,
        });
        checkIssuedAt(payload, currentDate.getTime() / 1000, tolerance);
        return payload as VerifiedClaims;
      }
      if ((alg === "ES256" || alg === "RS256") && keySet) {
        const { payload } = await jose.jwtVerify(token, keySet, {
          ...common,
          algorithms: ["ES256", "RS256"],
          issuer: opts.issuer,
        });
        checkIssuedAt(payload, currentDate.getTime() / 1000, tolerance);
        return payload as VerifiedClaims;
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof jose.errors.JWTExpired) throw unauthorized("Token expired", err);
      if (err instanceof jose.errors.JWTClaimValidationFailed && err.reason === "missing") {
        throw unauthorized(`Token claim "${err.claim}" is missing`, err);
      }
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
    toleranceMs: tolerance * 1000,
    now: () => (opts.now?.() ?? new Date()).getTime(),
  });
}
