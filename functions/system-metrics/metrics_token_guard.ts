/**
 * The Prometheus route's guard: the `METRICS_TOKEN` bearer a scraper is configured with
 * (compared in constant time), or else an admin's JWT. A scraper cannot sign in, and an admin
 * JWT expires within the hour, so a long-lived token of its own is what scraping needs; it
 * reads the figures and nothing else.
 */
import type { MiddlewareHandler } from "hono";
import { type AuthDeps, requireAdmin, timingSafeEqual } from "../../shared/http/auth/guards.ts";
import type { HonoEnv } from "../../shared/http/context.ts";

/** Accepts `Authorization: Bearer <token>` when `token` is set, else requires an admin. */
export function requireAdminOrMetricsToken(
  auth: AuthDeps,
  token: string | undefined,
): MiddlewareHandler<HonoEnv> {
  const admin = requireAdmin(auth);
  return async (c, next) => {
    const presented = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (token && presented && timingSafeEqual(presented, token)) {
      c.set("caller", { kind: "service" });
      return await next();
    }
    // Anything else must be an admin's JWT: a wrong token fails verification with a 401.
    return await admin(c, next);
  };
}
