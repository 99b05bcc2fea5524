/**
 * Records one `user_activity_log` row for every state-changing request a signed-in user makes
 * (whatever its outcome), through the `record_user_activity` definer function: users cannot
 * write audit rows themselves. Rows go through the process's group committer, so concurrent
 * requests' rows (and their charges) share one transaction instead of one each. A failure to
 * record is logged, never turned into a 500.
 */
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { GroupCommit } from "../db/group_commit.ts";
import * as activity from "../db/tables/user_activity_log.ts";
import type { Logger } from "../log.ts";
import type { HonoEnv } from "./context.ts";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const ip = z.union([z.ipv4(), z.ipv6()]);

/** The client address: the first `x-forwarded-for` hop the platform's gateway sets, if valid. */
export function clientIp(headers: Headers): string | null {
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const parsed = ip.safeParse(first);
  return parsed.success ? parsed.data : null;
}

/** The audit middleware; handlers name the action and resource with `c.set("audit", ...)`. */
export function auditTrail(
  deps: { commits: GroupCommit; log: Logger; fn: string },
): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    await next();
    const caller = c.get("caller");
    if (!STATE_CHANGING.has(c.req.method) || caller?.kind !== "user") return;
    const info = c.get("audit") ?? {};
    const action = info.action ?? `${deps.fn}:${c.req.method} ${c.req.path}`;
    const metadata = { status: c.res.status, request_id: c.get("requestId"), function: deps.fn };
    try {
      // Service path: the definer function is executable by service_role only.
      await deps.commits.run((tx) =>
        [
          activity.record(tx, {
            userId: caller.userId,
            action,
            resourceType: info.resourceType ?? null,
            resourceId: info.resourceId ?? null,
            metadata,
            ip: clientIp(c.req.raw.headers),
            userAgent: c.req.header("user-agent") ?? null,
          }),
        ] as const
      );
    } catch (err) {
      deps.log.error("audit record failed", { request_id: c.get("requestId"), err });
    }
  };
}
