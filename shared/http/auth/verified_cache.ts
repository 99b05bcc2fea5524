/** The memory of verified tokens that spares a polling client a signature check per request. */
import type { JwtVerifier, VerifiedClaims } from "./jwt_verifier.ts";

/**
 * Wraps a verifier with a bounded memory of tokens it accepted. Only successes are kept, keyed
 * by the whole token string (so a different signature is a different key), for at most `ttlMs`
 * (a key rotated out stops being honoured within that time) and never past the token's `exp`
 * (plus the tolerance the verifier itself allows); claims without a numeric `exp` are not kept.
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
    // The verifier requires exp; should one ever not, nothing is remembered without a bound.
    if (typeof claims.exp !== "number") return claims;
    const expires = claims.exp * 1000 + opts.toleranceMs;
    if (seen.size >= opts.size) seen.delete(seen.keys().next().value!);
    seen.set(token, { claims: Object.freeze(claims), until: Math.min(now + opts.ttlMs, expires) });
    return claims;
  };
}
