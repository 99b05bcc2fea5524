/**
 * Per-route auth guards. User routes take a user JWT (`aud` = authenticated; the anon key is
 * refused), admin routes also need `public.has_role(uid, 'admin')`, service routes take a
 * service_role JWT or a secret API key in `apikey`. Each guard is marked with its kind, so the
 * OpenAPI document states the security of exactly the routes it runs on.
 */
import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../errors.ts";
import type { Sql } from "../../db/client.ts";
import { asUser, type Claims } from "../../db/scopes.ts";
import * as profiles from "../../db/tables/profiles.ts";
import { isUuid } from "../../encoding.ts";
import type { HonoEnv } from "../context.ts";
import { markGuard } from "../security_schemes.ts";
import type { JwtVerifier } from "./jwt_verifier.ts";

/** What the guards need. */
export interface AuthDeps {
  verifyJwt: JwtVerifier;
  /** Secret API keys accepted on service routes. */
  secretKeys: string[];
  db: Sql;
}

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** Constant-time string comparison. */
export function timingSafeEqual(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}

/** Verifies the bearer token as a signed-in user's. */
export async function authenticateUser(deps: AuthDeps, header: string | undefined) {
  const token = bearer(header);
  if (!token) throw new AppError("UNAUTHORIZED", "Missing bearer token");
  const claims = await deps.verifyJwt(token);
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.role !== "authenticated" || !aud.includes("authenticated")) {
    throw new AppError("UNAUTHORIZED", "A signed-in user's token is required");
  }
  if (typeof claims.sub !== "string" || !isUuid(claims.sub)) {
    throw new AppError("UNAUTHORIZED", "Token subject is not a user id");
  }
  return { userId: claims.sub, claims: claims as Claims };
}

/**
 * The signed-in user a `requireUser`/`requireAdmin` guard established for this request.
 * @throws {AppError} UNAUTHORIZED when the route was reached without one (a wiring mistake)
 */
export function userCaller(c: Context<HonoEnv>): { userId: string; claims: Claims } {
  const caller = c.get("caller");
  if (caller?.kind !== "user") {
    throw new AppError("UNAUTHORIZED", "A signed-in user's token is required");
  }
  return caller;
}

/** Requires a signed-in user. */
export function requireUser(deps: AuthDeps): MiddlewareHandler<HonoEnv> {
  return markGuard<MiddlewareHandler<HonoEnv>>(async (c, next) => {
    const { userId, claims } = await authenticateUser(deps, c.req.header("authorization"));
    c.set("caller", { kind: "user", userId, claims });
    await next();
  }, "user");
}

/** Requires a signed-in user holding the admin role. */
export function requireAdmin(deps: AuthDeps): MiddlewareHandler<HonoEnv> {
  return markGuard<MiddlewareHandler<HonoEnv>>(async (c, next) => {
    const { userId, claims } = await authenticateUser(deps, c.req.header("authorization"));
    const [row] = await asUser(deps.db, claims, (tx) => profiles.hasRole(tx, userId, "admin"));
    if (!row?.granted) throw new AppError("FORBIDDEN", "Admin role required");
    c.set("caller", { kind: "user", userId, claims });
    await next();
  }, "admin");
}

/** Requires the service role: a secret API key in `apikey`, or a service_role JWT. */
export function requireService(deps: AuthDeps): MiddlewareHandler<HonoEnv> {
  return markGuard<MiddlewareHandler<HonoEnv>>(async (c, next) => {
    const apikey = c.req.header("apikey");
    if (apikey?.startsWith("sb_secret_")) {
      if (!deps.secretKeys.some((k) => timingSafeEqual(k, apikey))) {
        throw new AppError("UNAUTHORIZED", "Invalid secret API key");
      }
    } else {
      const token = bearer(c.req.header("authorization"));
      if (!token) throw new AppError("UNAUTHORIZED", "Service credentials required");
      const claims = await deps.verifyJwt(token);
      if (claims.role !== "service_role") {
        throw new AppError("FORBIDDEN", "Service role required");
      }
    }
    c.set("caller", { kind: "service" });
    await next();
  }, "service");
}

/**
 * Requires the service role (as {@link requireService}) or a signed-in admin: for work the
 * scheduler runs and an admin may also start by hand (rollups).
 */
export function requireServiceOrAdmin(deps: AuthDeps): MiddlewareHandler<HonoEnv> {
  const service = requireService(deps);
  const admin = requireAdmin(deps);
  return async (c, next) => {
    if (c.req.header("apikey")?.startsWith("sb_secret_")) return await service(c, next);
    const token = bearer(c.req.header("authorization"));
    if (!token) throw new AppError("UNAUTHORIZED", "Missing bearer token");
    // Verified once here; the guard it hands over to finds the verification cached.
    const claims = await deps.verifyJwt(token);
    return claims.role === "service_role" ? await service(c, next) : await admin(c, next);
  };
}
