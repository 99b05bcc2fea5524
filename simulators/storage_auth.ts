/**
 * Who is calling the Storage simulator, decided as Storage's JWT plugin decides it: the Bearer
 * token of the Authorization header (the `apikey` header is the hosted gateway's business, not
 * Storage's), verified with the project's HS256 secret. service_role bypasses RLS; every other
 * token runs the storage.objects policies as `authenticated` or `anon`.
 *
 * Routes differ in what a missing or bad token means (storage-fidelity D2-D4): the plain object
 * reads (`GET|HEAD /object/{bucket}/{key}`, `GET /object/info/{bucket}/{key}`) treat it as the
 * anonymous role, so a wrong key reads as "not found"; every other route answers a missing
 * header with 400 InvalidRequest and a bad token with 403 AccessDenied.
 */
import * as jose from "jose";
import type { Claims } from "../shared/db/scopes.ts";
import { simErrors } from "./storage_responses.ts";

/** A verified caller. */
export interface StorageCaller {
  role: "service_role" | "authenticated" | "anon";
  claims: Claims;
  /** `sub` when it is a uuid (stored as `owner`), else null. */
  owner: string | null;
  /** `sub` as text (stored as `owner_id`). */
  ownerId: string | null;
}

/** How a route treats a missing or invalid token. */
export type AuthMode = "required" | "anonymous-if-invalid";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller Storage falls back to for a read without a valid token. */
export const ANONYMOUS: StorageCaller = {
  role: "anon",
  claims: { role: "anon" },
  owner: null,
  ownerId: null,
};

/** Verifies the request's token as the route's mode says. */
export async function authenticate(
  req: Request,
  secret: Uint8Array,
  mode: AuthMode = "required",
): Promise<StorageCaller> {
  const header = req.headers.get("authorization");
  const lenient = mode === "anonymous-if-invalid";
  if (header === null) {
    if (lenient) return ANONYMOUS;
    throw simErrors.missingAuthorization();
  }
  const token = header.replace(/^Bearer\s+/i, "");
  if (token === "" && lenient) return ANONYMOUS;
  try {
    const { payload } = await jose.jwtVerify(token, secret, { algorithms: ["HS256"] });
    return callerFromClaims(payload as Claims);
  } catch (err) {
    if (lenient) return ANONYMOUS;
    throw simErrors.accessDenied(err instanceof Error ? err.message : "Invalid JWT");
  }
}

/** The caller a verified claim set stands for. */
export function callerFromClaims(claims: Claims): StorageCaller {
  const role = claims.role === "service_role"
    ? "service_role"
    : claims.role === "anon"
    ? "anon"
    : "authenticated";
  const sub = typeof claims.sub === "string" ? claims.sub : null;
  return { role, claims, owner: sub && UUID.test(sub) ? sub : null, ownerId: sub };
}

/** Verifies a signed-URL token; Storage answers a bad one with 400 InvalidJWT. */
export async function verifyToken(token: string, secret: Uint8Array): Promise<Claims> {
  try {
    const { payload } = await jose.jwtVerify(token, secret, { algorithms: ["HS256"] });
    return payload as Claims;
  } catch (err) {
    throw simErrors.invalidJwt(err instanceof Error ? err.message : "Invalid JWT");
  }
}

/** Signs a token the way Storage signs URLs: HS256 with the project secret, `exp` in seconds. */
export async function signToken(
  payload: Record<string, unknown>,
  secret: Uint8Array,
  expiresInSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new jose.SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(secret);
}
