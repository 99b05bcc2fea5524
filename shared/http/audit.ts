/**
 * Records one `user_activity_log` row for every state-changing request a signed-in user makes
 * (whatever its outcome), through the `record_user_activity` definer function: users cannot
 * write audit rows themselves. Rows go through the process's group committer, so concurrent
 * requests' rows (and their charges) share one transaction instead of one each. A failure to
 * record is logged, never turned into a 500 (the answer has gone by then).
 */
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Background } from "../background.ts";
import type { GroupCommit } from "../db/group_commit.ts";
import * as activity from "../db/tables/user_activity_log.ts";
import type { Logger } from "../log.ts";
import type { HonoEnv } from "./context.ts";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const ip = z.union([z.ipv4(), z.ipv6()]);

/** The client address: the first `x-forwarded-for` hop the platform's gateway sets, if valid. */
export function clientIp(headers: Headers): string | null {
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  // No header (a direct call): nothing to parse, and a failed zod parse builds its issues.
  if (!first) return null;
  const parsed = ip.safeParse(first);
  return parsed.success ? parsed.data : null;
}

/**
 * The audit middleware; handlers name the action and resource with `c.set("audit", ...)`. The row
 * is written after the response has gone (kept alive with `background`), so no answer waits for
 * its own audit: it joins the next group commit, with the charges and other requests' rows.
 */
export function auditTrail(
  deps: { commits: GroupCommit; background: Background; log: Logger; fn: string },
): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    await next();
    const caller = c.get("caller");
    if (!STATE_CHANGING.has(c.req.method) || caller?.kind !== "user") return;
    const info = c.get("audit") ?? {};
    const requestId = c.get("requestId");
    const entry = {
      userId: caller.userId,
      action: info.action ?? `${deps.fn}:${c.req.method} ${c.req.path}`,
      resourceType: info.resourceType ?? null,
      resourceId: info.resourceId ?? null,
      metadata: { status: c.res.status, request_id: requestId, function: deps.fn },
      ip: clientIp(c.req.raw.headers),
      userAgent: c.req.header("user-agent") ?? null,
    };
    // Service path: the definer function is executable by service_role only.
    deps.background(
      deps.commits.run((tx) => [activity.record(tx, entry)] as const).catch((err) =>
        deps.log.error("audit record failed", { request_id: requestId, err })
      ),
    );
  };
}
