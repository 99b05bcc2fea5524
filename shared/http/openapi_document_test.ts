import { createRoute, z } from "@hono/zod-openapi";
import { assertEquals, assertMatch } from "../../tests/support/assert.ts";
import { createDb } from "../db/client.ts";
import { createLogger } from "../log.ts";
import { requireAdmin, requireService, requireUser } from "./auth/guards.ts";
import { createJwtVerifier } from "./auth/jwt_verifier.ts";
import { createFunctionApp, type FunctionApp } from "./create_app.ts";
import { errorResponses } from "./error_envelope.ts";
import { securedBy } from "./security_schemes.ts";

// No request here reaches the database or a guard: only the documents are read.
const db = createDb("postgresql://postgres:postgres@127.0.0.1:1/postgres");
const auth = { verifyJwt: createJwtVerifier({ jwtSecret: "x".repeat(32) }), secretKeys: [], db };
const ok = {
  200: { description: "ok", content: { "application/json": { schema: z.object({}) } } },
};

function appWithRoutes(): FunctionApp {
  const app = createFunctionApp({
    name: "probe",
    description: "probe",
    log: createLogger({ level: "error" }),
    db,
    corsOrigins: "*",
    bodyLimitBytes: 1234,
  });
  const unused = z.object({ never: z.string() }).openapi("NeverReferenced");
  app.openAPIRegistry.register("NeverReferenced", unused);
  const inner = z.object({ n: z.number() }).openapi("Inner");
  const outer = z.object({ inner }).openapi("Outer");
  app.use("/items/*", requireUser(auth));
  app.openapi(
    createRoute({
      method: "get",
      path: "/items/{id}",
      request: { params: z.object({ id: z.string() }) },
      responses: {
        200: { description: "ok", content: { "application/json": { schema: outer } } },
        ...errorResponses(401, 404),
      },
    }),
    (c) => c.json({ inner: { n: 1 } }, 200),
  );
  app.openapi(
    createRoute({ method: "post", path: "/items/{id}/archive", responses: ok }),
    (c) => c.json({}, 200),
  );
  app.use("/admin", requireAdmin(auth));
  app.openapi(
    createRoute({ method: "get", path: "/admin", operationId: "adminOverview", responses: ok }),
    (c) => c.json({}, 200),
  );
  app.use("/tick", requireService(auth));
  app.openapi(
    createRoute({ method: "post", path: "/tick", responses: ok }),
    (c) => c.json({}, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/hook",
      security: securedBy("standardWebhooks"),
      request: {
        body: { content: { "application/json": { schema: z.object({ a: z.string() }) } } },
      },
      responses: ok,
    }),
    (c) => c.json({}, 200),
  );
  return app;
}

// deno-lint-ignore no-explicit-any
async function documentOf(app: FunctionApp): Promise<any> {
  const res = await app.request("/probe/openapi.json");
  assertEquals(res.status, 200);
  return await res.json();
}

Deno.test("each operation's security is the guard that really runs for it, or none", async () => {
  const doc = await documentOf(appWithRoutes());
  const security = (path: string, method: string) => doc.paths[path][method].security;
  assertEquals(security("/probe/items/{id}", "get"), [{ bearerAuth: [] }]);
  // Guarded by the `/items/*` middleware registered for the read route.
  assertEquals(security("/probe/items/{id}/archive", "post"), [{ bearerAuth: [] }]);
  assertEquals(security("/probe/admin", "get"), [{ bearerAuth: [] }]);
  assertEquals(security("/probe/tick", "post"), [{ secretApiKey: [] }, { serviceRoleJwt: [] }]);
  assertEquals(security("/probe/hook", "post"), [{ standardWebhooks: [] }]);
  assertEquals(security("/probe/openapi.json", "get"), []);
  assertEquals(security("/probe/docs", "get"), []);
  assertEquals(Object.keys(doc.components.securitySchemes).sort(), [
    "bearerAuth",
    "secretApiKey",
    "serviceRoleJwt",
    "standardWebhooks",
  ]);
  for (const scheme of Object.values(doc.components.securitySchemes)) {
    assertMatch((scheme as { description: string }).description, /\w/);
  }
});

Deno.test("operations get ids and the error answers the shared middleware can give", async () => {
  const doc = await documentOf(appWithRoutes());
  const op = (path: string, method: string) => doc.paths[path][method];
  assertEquals(op("/probe/items/{id}", "get").operationId, "getItemsById");
  assertEquals(op("/probe/admin", "get").operationId, "adminOverview");
  assertEquals(op("/probe/openapi.json", "get").operationId, "getOpenapiJson");
  const statuses = (path: string, method: string) => Object.keys(op(path, method).responses);
  assertEquals(statuses("/probe/items/{id}", "get").sort(), [
    "200",
    "400",
    "401",
    "404",
    "413",
    "500",
  ]);
  assertEquals(statuses("/probe/items/{id}/archive", "post").sort(), ["200", "401", "413", "500"]);
  assertEquals(statuses("/probe/admin", "get").sort(), ["200", "401", "403", "413", "500"]);
  assertEquals(statuses("/probe/tick", "post").sort(), ["200", "401", "403", "413", "500"]);
  assertEquals(statuses("/probe/hook", "post").sort(), ["200", "400", "401", "413", "500"]);
  assertEquals(statuses("/probe/docs", "get").sort(), ["200", "413", "500"]);
  // The route's own 404 is kept as it declared it.
  assertEquals(op("/probe/items/{id}", "get").responses["404"].description, "NOT_FOUND");
  assertMatch(op("/probe/tick", "post").responses["413"].description, /1234 bytes/);
  assertEquals(
    op("/probe/tick", "post").responses["401"].content["application/json"].schema.$ref,
    "#/components/schemas/ErrorEnvelope",
  );
});

Deno.test("schemas nothing references are dropped, those reached through others kept", async () => {
  const doc = await documentOf(appWithRoutes());
  const names = Object.keys(doc.components.schemas).sort();
  assertEquals(names.includes("NeverReferenced"), false);
  assertEquals(["ErrorEnvelope", "Inner", "Outer"].every((n) => names.includes(n)), true);
});

Deno.test("a route stating other security than its guard makes the document fail", async () => {
  const app = createFunctionApp({
    name: "probe",
    description: "probe",
    log: createLogger({ level: "error", sink: () => {} }),
    db,
    corsOrigins: "*",
  });
  app.use("/mixed", requireUser(auth));
  app.openapi(
    createRoute({
      method: "post",
      path: "/mixed",
      security: securedBy("secretApiKey"),
      responses: ok,
    }),
    (c) => c.json({}, 200),
  );
  const res = await app.request("/probe/openapi.json");
  assertEquals(res.status, 500);
  assertEquals((await res.json()).error.code, "INTERNAL");
});
