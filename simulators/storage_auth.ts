/**
 * Who is calling the Storage simulator: the Bearer JWT (or, without one, an `apikey` that is a
 * JWT), verified with the project's HS256 secret like Storage does. service_role bypasses RLS;
 * every other token runs the storage.objects policies as `authenticated` or `anon`.
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Verifies the request's token; throws Storage's InvalidJWT error otherwise. */
export async function authenticate(req: Request, secret: Uint8Array): Promise<StorageCaller> {
  const bearer = req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
  const apikey = req.headers.get("apikey") ?? undefined;
  const token = bearer ?? (apikey && apikey.split(".").length === 3 ? apikey : undefined);
  if (!token) throw simErrors.invalidJwt("headers must have required property 'authorization'");
  const claims = await verifyToken(token, secret);
  return callerFromClaims(claims);
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

/** Verifies an HS256 token (access token or signed-URL token) with jsonwebtoken's messages. */
export async function verifyToken(token: string, secret: Uint8Array): Promise<Claims> {
  try {
    const { payload } = await jose.jwtVerify(token, secret, { algorithms: ["HS256"] });
    return payload as Claims;
  } catch (err) {
    throw simErrors.invalidJwt(jwtMessage(err));
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

// Storage verifies with jsonwebtoken; its messages are what clients see and log.
function jwtMessage(err: unknown): string {
  if (err instanceof jose.errors.JWTExpired) return "jwt expired";
  if (err instanceof jose.errors.JWSSignatureVerificationFailed) return "invalid signature";
  if (err instanceof jose.errors.JOSEAlgNotAllowed) return "invalid algorithm";
  return "jwt malformed";
}
