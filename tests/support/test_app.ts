/**
 * An app built with the same factory every function uses, with one route per guard, so the
 * tests can exercise auth, validation, audit and the envelope in process against the real DB.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Sql } from "../../shared/db/client.ts";
import { createJwtVerifier, type JwtVerifierOptions } from "../../shared/http/auth/jwt_verifier.ts";
import { requireAdmin, requireService, requireUser } from "../../shared/http/auth/guards.ts";
import { createFunctionApp, type FunctionApp } from "../../shared/http/create_app.ts";
import { createLogger, type Logger } from "../../shared/log.ts";

/** Options for {@link createTestApp}. */
export interface TestAppOptions {
  db: Sql;
  verifier: JwtVerifierOptions;
  secretKeys?: string[];
  bodyLimitBytes?: number;
  log?: Logger;
}

/** Builds the guard test app under `/guarded`. */
export function createTestApp(opts: TestAppOptions): FunctionApp {
  const log = opts.log ?? createLogger({ level: "error" });
  const app = createFunctionApp({
    name: "guarded",
    description: "guard test app",
    log,
    db: opts.db,
    corsOrigins: "*",
    bodyLimitBytes: opts.bodyLimitBytes,
  });
  const auth = {
    verifyJwt: createJwtVerifier(opts.verifier),
    secretKeys: opts.secretKeys ?? [],
    db: opts.db,
  };
  const who = z.object({ kind: z.string(), user_id: z.string().optional() });
  const whoResponse = {
    200: { description: "caller", content: { "application/json": { schema: who } } },
  };

  app.use("/user", requireUser(auth));
  app.openapi(createRoute({ method: "get", path: "/user", responses: whoResponse }), (c) => {
    const caller = c.get("caller");
    return c.json({
      kind: caller!.kind,
      user_id: caller?.kind === "user" ? caller.userId : undefined,
    }, 200);
  });
  app.use("/admin", requireAdmin(auth));
  app.openapi(
    createRoute({ method: "get", path: "/admin", responses: whoResponse }),
    (c) => c.json({ kind: "admin" }, 200),
  );
  app.use("/service", requireService(auth));
  app.openapi(
    createRoute({ method: "post", path: "/service", responses: whoResponse }),
    (c) => c.json({ kind: "service" }, 200),
  );

  app.use("/notes", requireUser(auth));
  app.openapi(
    createRoute({
      method: "post",
      path: "/notes",
      request: {
        body: {
          content: {
            "application/json": {
              schema: z.strictObject({
                title: z.string().min(1).max(20),
                count: z.number().int().optional(),
              }),
            },
          },
        },
      },
      responses: {
        201: {
          description: "created",
          content: { "application/json": { schema: z.object({ id: z.string() }) } },
        },
      },
    }),
    (c) => {
      const id = crypto.randomUUID();
      c.set("audit", { action: "notes.create", resourceType: "note", resourceId: id });
      return c.json({ id }, 201);
    },
  );
  return app;
}
