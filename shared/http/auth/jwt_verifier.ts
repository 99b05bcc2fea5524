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

  return async (token: string) => {
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
}
