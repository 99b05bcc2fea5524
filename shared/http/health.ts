/** `GET /<name>/health`: reports whether the database answers (503 with Retry-After if not). */
import { createRoute, z } from "@hono/zod-openapi";
import type { Sql } from "../db/client.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { FunctionApp } from "./create_app.ts";
import { errorResponses } from "./error_envelope.ts";

const healthSchema = z.object({
  status: z.literal("ok"),
  function: z.string(),
  database: z.literal("reachable"),
}).openapi("Health");

const route = createRoute({
  method: "get",
  path: "/health",
  summary: "Liveness and database reachability",
  responses: {
    200: { description: "Up", content: { "application/json": { schema: healthSchema } } },
    ...errorResponses(503),
  },
});

/** Adds the health route. */
export function registerHealthRoute(
  app: FunctionApp,
  deps: { db: Sql; log: Logger; name: string; timeoutMs?: number },
): void {
  app.openapi(route, async (c) => {
    let timer: number | undefined;
    try {
      await Promise.race([
        deps.db`select 1`,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error("health check timed out")),
            deps.timeoutMs ?? 2000,
          );
        }),
      ]);
    } catch (err) {
      deps.log.warn("database unreachable", { err });
      throw new AppError("UNAVAILABLE", "Database unreachable", { retryAfter: 5, cause: err });
    } finally {
      clearTimeout(timer);
    }
    return c.json(
      { status: "ok" as const, function: deps.name, database: "reachable" as const },
      200,
    );
  });
}
