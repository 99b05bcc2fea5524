import { assertEquals, assertMatch, eventually } from "../support/assert.ts";
import { createDb } from "../../shared/db/client.ts";
import { createFunctionApp } from "../../shared/http/create_app.ts";
import { registerHealthRoute } from "../../shared/http/health.ts";
import { createLogger } from "../../shared/log.ts";
import { createTestApp } from "../support/test_app.ts";
import { createTestUser, deleteTestUsers, stack, withDb } from "../support/stack.ts";

Deno.test("health answers 503 with Retry-After when the database is unreachable", async () => {
  // A pool pointed at a port nothing listens on; the shared cluster is never stopped.
  const db = createDb("postgresql://postgres:postgres@127.0.0.1:1/postgres", { connectTimeout: 1 });
  const lines: string[] = [];
  const log = createLogger({ sink: (l) => lines.push(l) });
  try {
    const app = createFunctionApp({
      name: "probe",
      description: "probe",
      log,
      db,
      corsOrigins: "*",
    });
    registerHealthRoute(app, { db, log, name: "probe", timeoutMs: 1500 });
    const res = await app.request("/probe/health");
    assertEquals(res.status, 503);
    assertEquals(res.headers.get("retry-after"), "5");
    const body = await res.json();
    assertEquals(body.error.code, "UNAVAILABLE");
    assertEquals(body.error.message, "Database unreachable");
    assertEquals(
      lines.some((l) => l.includes("postgres:postgres")),
      false,
      "no credentials in logs",
    );
  } finally {
    await db.end({ timeout: 0 });
  }
});

Deno.test("malformed JSON, unknown fields and bad values get a 400 envelope naming the field", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const app = createTestApp({ db: sql, verifier: { jwtSecret: stack.jwtSecret } });
      const post = (body: string) =>
        app.request("/guarded/notes", {
          method: "POST",
          headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
          body,
        });
      const malformed = await post("{not json");
      assertEquals(malformed.status, 400);
      assertEquals((await malformed.json()).error.code, "BAD_REQUEST");
      const unknown = await post(JSON.stringify({ title: "ok", admin: true }));
      assertEquals(unknown.status, 400);
      const unknownBody = await unknown.json();
      assertEquals(unknownBody.error.details[0].field, "admin");
      const bad = await post(JSON.stringify({ title: "", count: 1.5 }));
      const badBody = await bad.json();
      assertEquals(bad.status, 400);
      assertEquals(badBody.error.details.map((d: { field: string }) => d.field).sort(), [
        "count",
        "title",
      ]);
      assertMatch(badBody.error.message, /^Invalid (title|count): /);
    } finally {
      await deleteTestUsers(sql, user);
    }
  });
});

Deno.test("an unexpected error is a bare 500 envelope; the cause goes only to the log", async () => {
  await withDb(async (sql) => {
    const lines: string[] = [];
    const app = createTestApp({
      db: sql,
      verifier: { jwtSecret: stack.jwtSecret },
      log: createLogger({ sink: (l) => lines.push(l) }),
    });
    app.get("/boom", () => {
      throw new Error("secret internal detail");
    });
    const res = await app.request("/guarded/boom");
    assertEquals(res.status, 500);
    const text = await res.text();
    assertEquals(text.includes("secret internal detail"), false);
    assertEquals(JSON.parse(text).error.code, "INTERNAL");
    assertEquals(
      lines.some((l) => l.includes("secret internal detail")),
      true,
      "the cause is logged",
    );
  });
});

Deno.test("every state-changing user request leaves one audit row with IP and user agent", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const app = createTestApp({ db: sql, verifier: { jwtSecret: stack.jwtSecret } });
      const res = await app.request("/guarded/notes", {
        method: "POST",
        headers: {
          authorization: `Bearer ${user.jwt}`,
          "content-type": "application/json",
          "user-agent": "audit-test/1.0",
          "x-forwarded-for": "203.0.113.7, 10.0.0.1",
        },
        body: JSON.stringify({ title: "hello" }),
      });
      assertEquals(res.status, 201);
      const { id } = await res.json();
      const failed = await app.request("/guarded/notes", {
        method: "POST",
        headers: {
          authorization: `Bearer ${user.jwt}`,
          "content-type": "application/json",
          "x-forwarded-for": "not-an-ip",
        },
        body: "{}",
      });
      assertEquals(failed.status, 400);
      await app.request("/guarded/user", { headers: { authorization: `Bearer ${user.jwt}` } });
      // Rows are written after the answer: read until both are there (or the wait runs out).
      const rows = await eventually(
        () =>
          sql`select action, resource_type, resource_id, host(ip_address) as ip, user_agent, metadata
          from public.user_activity_log where user_id = ${user.id}
          order by (metadata->>'status')::int`,
        (r) => r.length >= 2,
      );
      assertEquals(rows.length, 2, "two POSTs audited, the GET not");
      assertEquals(rows[0].action, "notes.create");
      assertEquals(rows[0].resource_type, "note");
      assertEquals(rows[0].resource_id, id);
      assertEquals(rows[0].ip, "203.0.113.7");
      assertEquals(rows[0].user_agent, "audit-test/1.0");
      assertEquals(rows[0].metadata.status, 201);
      assertEquals(rows[1].metadata.status, 400);
      assertEquals(rows[1].ip, null, "an unparseable forwarded address is not stored");
    } finally {
      await deleteTestUsers(sql, user);
    }
  });
});
