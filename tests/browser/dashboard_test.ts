/**
 * The ops dashboard in headless Chromium (tests/browser/dashboard.mjs under Node): the real
 * flow, the page opened with an admin's token in the URL fragment, the data fetched from the
 * real function through the gateway. No console errors, no failed or off-origin requests, the
 * token gone from the address bar, five charts with marks; a screenshot goes to
 * tests/artifacts/dashboard.png.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { callFn, cleanup, createFundedUser } from "../support/jobs.ts";
import { type FixtureJob, insertCalls, insertJobs, insertLedger } from "../support/metrics.ts";
import { createTestModel, createTestProvider } from "../support/providers.ts";
import { createTestUser, stack, withDb } from "../support/stack.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const DAY = 86_400;
// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("the dashboard renders its charts in Chromium from an admin token in the fragment", async () => {
  await withDb(async (sql) => {
    const admin = await createTestUser(sql, { admin: true });
    const user = await createFundedUser(sql, 0);
    const provider = await createTestProvider(sql);
    try {
      const a = await createTestModel(sql, provider.id, { model_key: `dash/a-${provider.name}` });
      const b = await createTestModel(sql, provider.id, { model_key: `dash/b-${provider.name}` });
      const jobs: FixtureJob[] = [];
      for (let k = 1; k <= 6; k++) {
        const at = k * DAY;
        for (let i = 0; i < 3; i++) {
          jobs.push({
            userId: user.id,
            modelId: a.id,
            status: "completed",
            startedAgoS: at + 5 + k + i,
            completedAgoS: at,
          });
        }
        jobs.push({
          userId: user.id,
          modelId: a.id,
          status: "failed",
          startedAgoS: at + 2,
          completedAgoS: at,
        });
        jobs.push({
          userId: user.id,
          modelId: b.id,
          status: "completed",
          startedAgoS: at + 9,
          completedAgoS: at,
        });
        if (k % 2) {
          jobs.push({ userId: user.id, modelId: b.id, status: "cancelled", completedAgoS: at });
        }
        await insertLedger(sql, user.id, "charge", 10 + k, at);
        if (k % 3 === 0) await insertLedger(sql, user.id, "refund", -3, at);
        await insertCalls(
          sql,
          [200, 201, 201, 500].map((status, i) => ({
            providerId: provider.id,
            modelId: a.id,
            agoS: at + i,
            status,
            latencyMs: 100 * (i + 1),
            error: status >= 400 ? "boom" : undefined,
          })),
        );
      }
      await insertJobs(sql, jobs);
      const [{ days }] = await sql<{ days: string[] }[]>`
        select array_agg(distinct to_char(completed_at at time zone 'utc', 'YYYY-MM-DD')) as days
        from public.jobs where user_id = ${user.id}`;
      for (const day of days) {
        const res = await callFn(null, "POST", "/system-metrics/rollup", { day }, {
          apikey: stack.secretKey,
        });
        assertEquals(res.status, 200);
      }

      await Deno.mkdir(`${ROOT}tests/artifacts`, { recursive: true });
      const shot = `${ROOT}tests/artifacts/dashboard.png`;
      const out = await new Deno.Command("node", {
        args: [
          `${ROOT}tests/browser/dashboard.mjs`,
          `${stack.gatewayUrl}/functions/v1/system-metrics/dashboard`,
          admin.jwt,
          shot,
        ],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      const report = JSON.parse(text) as Any;
      assertEquals(report.error, undefined, JSON.stringify(report));

      const clean = (phase: Any, name: string) => {
        assertEquals(phase.console_errors, [], `${name}: console errors`);
        assertEquals(phase.page_errors, [], `${name}: page errors`);
        assertEquals(phase.failed, [], `${name}: failed requests`);
        assertEquals(phase.external, [], `${name}: requests off the page's origin`);
        assertEquals(phase.http_errors, [], `${name}: HTTP errors`);
      };
      clean(report.no_token, "without a token");
      assertEquals(report.no_token.charts, 0, "no token, no data, no charts");
      assertOk(report.no_token.status.includes("#token="), report.no_token.status);
      const csp = report.no_token.csp as string;
      assertOk(/default-src 'none'/.test(csp) && /script-src 'nonce-[0-9a-f]{32}'/.test(csp), csp);

      clean(report.admin, "with the admin token");
      assertEquals(report.admin.hash_after_load, "", "the token leaves the address bar");
      assertEquals(report.admin.cards, 10);
      const charts = Object.fromEntries(report.admin.charts.map((c: Any) => [c.name, c]));
      assertEquals(Object.keys(charts).sort(), ["credits", "jobs", "p95", "providers", "success"]);
      for (const c of report.admin.charts) assertOk(c.points > 0, `${c.name} has no marks`);
      for (const name of ["success", "p95", "providers"]) {
        assertOk(charts[name].lines > 0, `${name} draws lines`);
      }
      assertOk((await Deno.stat(shot)).size > 10_000, "the screenshot was written");
    } finally {
      await sql`delete from public.api_usage_logs where provider_id = ${provider.id}`;
      await cleanup(sql, [admin, user], [provider]);
    }
  });
});
