/**
 * The metrics routes against rows the database takes but a strict reader might not: provider and
 * model ids without an RFC 9562 version (hand-made seed rows have them), and a provider rate
 * limit no integer holds, refused where it would be written.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { callFn, cleanup } from "../support/jobs.ts";
import { createTestProvider } from "../support/providers.ts";
import { createTestUser, withDb } from "../support/stack.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("ids without a version do not break the overview; an absurd provider rate limit is refused at the source", async () => {
  await withDb(async (sql) => {
    const admin = await createTestUser(sql, { admin: true });
    const provider = await createTestProvider(sql, { is_active: false });
    // Postgres takes any 8-4-4-4-12 hex id; hand-made seed rows have ids like this one.
    const versionless = `b0000000-0000-0000-0000-${crypto.randomUUID().slice(-12)}`;
    try {
      await sql`update public.api_providers set id = ${versionless} where id = ${provider.id}`;
      const res = await callFn(admin, "GET", "/system-metrics");
      assertEquals(res.status, 200, JSON.stringify(res.body));
      assertOk(
        ((res.body as Any).providers as Any[]).some((p) => p.id === versionless),
        "the provider is listed",
      );
      const refused = await sql`update public.api_providers
        set rate_limits = '{"requests_per_minute": 1e12}' where id = ${versionless}`
        .then(() => "updated", (e) => (e as { code: string }).code);
      assertEquals(refused, "23514");
    } finally {
      await sql`delete from public.api_providers where id = ${versionless}`;
      await cleanup(sql, [admin], []);
    }
  });
});
