/** Who may call the system-metrics routes: admins, the service role, the metrics token. */
import { assertEquals } from "../support/assert.ts";
import { callFn, cleanup } from "../support/jobs.ts";
import { scrape } from "../support/metrics.ts";
import { createTestUser, withDb } from "../support/stack.ts";

type Body = Record<string, unknown>;

Deno.test("metrics routes refuse the anonymous, non-admins and wrong tokens", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    const admin = await createTestUser(sql, { admin: true });
    try {
      for (
        const [method, path] of [
          ["GET", "/system-metrics"],
          ["POST", "/system-metrics"],
          ["GET", "/system-metrics/models"],
          ["GET", "/system-metrics/dashboard/data"],
          ["POST", "/system-metrics/rollup"],
        ]
      ) {
        const body = method === "POST" ? {} : undefined;
        assertEquals((await callFn(null, method, path, body)).status, 401, `anon ${path}`);
        const denied = await callFn(user, method, path, body);
        assertEquals(denied.status, 403, `non-admin ${method} ${path}`);
        assertEquals((denied.body.error as Body).code, "FORBIDDEN");
      }
      assertEquals(
        (await callFn(null, "POST", "/system-metrics/maintenance/prune", {})).status,
        401,
      );
      assertEquals(
        (await callFn(admin, "POST", "/system-metrics/maintenance/prune", {})).status,
        403,
        "retention is the service role's",
      );
      assertEquals((await scrape(null)).status, 401, "anon scrape");
      assertEquals((await scrape(user.jwt)).status, 403, "non-admin scrape");
      const wrong = await scrape(`${Deno.env.get("METRICS_TOKEN")}x`);
      assertEquals(wrong.status, 401, "a wrong metrics token");
      assertEquals(JSON.parse(wrong.text).error.code, "UNAUTHORIZED");
      assertEquals((await scrape("m".repeat(40))).status, 401);
    } finally {
      await cleanup(sql, [user, admin], []);
    }
  });
});
