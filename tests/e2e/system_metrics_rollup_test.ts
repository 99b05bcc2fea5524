/**
 * The rollup, daily-rows and retention routes: UTC day bounds and idempotency through HTTP,
 * the default days, retention in batches, and hostile input on every route (a 400 envelope
 * naming the field, nothing changed).
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { callFn, cleanup, createFundedUser } from "../support/jobs.ts";
import { insertCalls, insertJobs } from "../support/metrics.ts";
import { createTestModel, createTestProvider } from "../support/providers.ts";
import { createTestUser, stack, withDb } from "../support/stack.ts";

type Body = Record<string, unknown>;
// deno-lint-ignore no-explicit-any
type Any = any;

const asService = () => ({ apikey: stack.secretKey });

function utcDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

Deno.test("rollups through HTTP: UTC day bounds, idempotent reruns, daily rows per model", async () => {
  await withDb(async (sql) => {
    const admin = await createTestUser(sql, { admin: true });
    const user = await createFundedUser(sql, 0);
    const provider = await createTestProvider(sql);
    try {
      const model = await createTestModel(sql, provider.id);
      await insertJobs(sql, [
        // 2026-05-01: runs of 4 s and 6 s (rated 7 and 9), a failure; a cancellation at
        // 23:59:59.9. The success finishing at 00:00:00 belongs to 2026-05-02.
        ...[["10:00:00", "10:00:04", 7], ["11:00:00", "11:00:06", 9]].map(([s, e, q]) => ({
          userId: user.id,
          modelId: model.id,
          status: "completed" as const,
          startedAt: `2026-05-01T${s}Z`,
          completedAt: `2026-05-01T${e}Z`,
          qualityRating: q as number,
        })),
        {
          userId: user.id,
          modelId: model.id,
          status: "failed",
          startedAt: "2026-05-01T12:00:00Z",
          completedAt: "2026-05-01T12:00:01Z",
        },
        {
          userId: user.id,
          modelId: model.id,
          status: "cancelled",
          completedAt: "2026-05-01T23:59:59.900Z",
        },
        {
          userId: user.id,
          modelId: model.id,
          status: "completed",
          startedAt: "2026-05-01T23:59:58Z",
          completedAt: "2026-05-02T00:00:00Z",
        },
      ]);
      const first = await callFn(
        null,
        "POST",
        "/system-metrics/rollup",
        { day: "2026-05-01" },
        asService(),
      );
      assertEquals(first.status, 200, JSON.stringify(first.body));
      assertOk(((first.body.days as Any[])[0].models as number) >= 1);
      const byAdmin = await callFn(admin, "POST", "/system-metrics/rollup", { day: "2026-05-02" });
      assertEquals(byAdmin.status, 200, "an admin may run it too");

      const rows = async () =>
        (await callFn(
          admin,
          "GET",
          `/system-metrics/models?from=2026-05-01&to=2026-05-02&model_id=${model.id}`,
        ))
          .body as Any;
      const got = await rows();
      assertEquals(got.from, "2026-05-01");
      assertEquals(got.to, "2026-05-02");
      const strip = (r: Any) => ({ ...r, updated_at: undefined });
      assertEquals(got.rows.map(strip), [
        {
          date: "2026-05-01",
          model_id: model.id,
          model_key: model.model_key,
          model_type: model.model_key,
          total: 4,
          successful: 2,
          failed: 1,
          cancelled: 1,
          success_rate: 0.6667,
          avg_generation_time_ms: 5000,
          p50_generation_time_ms: 5000,
          p95_generation_time_ms: 5900,
          avg_quality_rating: 8,
          total_processing_time_ms: 11000,
          updated_at: undefined,
        },
        {
          date: "2026-05-02",
          model_id: model.id,
          model_key: model.model_key,
          model_type: model.model_key,
          total: 1,
          successful: 1,
          failed: 0,
          cancelled: 0,
          success_rate: 1,
          avg_generation_time_ms: 2000,
          p50_generation_time_ms: 2000,
          p95_generation_time_ms: 2000,
          avg_quality_rating: null,
          total_processing_time_ms: 2000,
          updated_at: undefined,
        },
      ]);
      // Idempotent: the same rows, not even rewritten.
      await callFn(null, "POST", "/system-metrics/rollup", { day: "2026-05-01" }, asService());
      await callFn(null, "POST", "/system-metrics/rollup", { day: "2026-05-02" }, asService());
      assertEquals((await rows()).rows, got.rows);

      // No day: yesterday and today (UTC).
      const both = await callFn(null, "POST", "/system-metrics/rollup", undefined, asService());
      assertEquals(both.status, 200);
      const days = (both.body.days as Any[]).map((d) => d.day);
      assertOk(
        JSON.stringify(days) === JSON.stringify([utcDay(-1), utcDay(0)]) ||
          JSON.stringify(days) === JSON.stringify([utcDay(-2), utcDay(-1)]),
        `default days ${days}`,
      );
      // The default range is the last 14 days.
      const recent = (await callFn(admin, "GET", "/system-metrics/models")).body as Any;
      assertEquals(recent.to, utcDay(0));
      assertEquals(recent.from, utcDay(-13));
    } finally {
      await cleanup(sql, [admin, user], [provider]);
    }
  });
});

Deno.test("retention through HTTP deletes expired provider call logs in batches", async () => {
  await withDb(async (sql) => {
    const provider = await createTestProvider(sql);
    try {
      const model = await createTestModel(sql, provider.id);
      const day = 86_400;
      // 90 days is the default api_usage_log_retention_days.
      await insertCalls(sql, [
        ...[91, 92, 93, 94, 95].map((d) => ({
          providerId: provider.id,
          modelId: model.id,
          agoS: d * day,
          status: 201,
          latencyMs: 1,
        })),
        { providerId: provider.id, modelId: model.id, agoS: 89 * day, status: 201, latencyMs: 1 },
      ]);
      const res = await callFn(null, "POST", "/system-metrics/maintenance/prune", {
        batch_size: 2,
        time_budget_ms: 10_000,
      }, asService());
      assertEquals(res.status, 200, JSON.stringify(res.body));
      assertEquals(res.body.done, true);
      assertOk((res.body.api_usage_logs_deleted as number) >= 5, JSON.stringify(res.body));
      assertOk((res.body.batches as number) >= 3, "five rows in batches of two");
      const [left] = await sql<{ n: number }[]>`
        select count(*)::int as n from public.api_usage_logs where provider_id = ${provider.id}`;
      assertEquals(left.n, 1, "the 89-day-old row stays");
    } finally {
      await sql`delete from public.api_usage_logs where provider_id = ${provider.id}`;
      await cleanup(sql, [], [provider]);
    }
  });
});

Deno.test("hostile input on every metrics route gets a 400 naming the field", async () => {
  await withDb(async (sql) => {
    const admin = await createTestUser(sql, { admin: true });
    try {
      const bad = async (
        method: string,
        path: string,
        body: unknown,
        field: string,
        headers: Record<string, string> = {},
      ) => {
        const res = await callFn(admin, method, path, body, headers);
        assertEquals(res.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
        const err = res.body.error as Body;
        assertEquals(err.code, "BAD_REQUEST");
        const fields = ((err.details ?? []) as Body[]).map((d) => d.field);
        assertOk(fields.includes(field), `${path}: ${JSON.stringify(err)}`);
      };
      const models = "/system-metrics/models";
      await bad("GET", `${models}?from=2026-13-01`, undefined, "from");
      await bad("GET", `${models}?from=2026-02-30`, undefined, "from");
      await bad("GET", `${models}?to=2026-05-01%00`, undefined, "to");
      await bad("GET", `${models}?from=yesterday`, undefined, "from");
      await bad("GET", `${models}?from=2026-05-02&to=2026-05-01`, undefined, "to");
      await bad("GET", `${models}?from=2000-01-01&to=2026-01-01`, undefined, "to");
      await bad("GET", `${models}?from=1999-12-31`, undefined, "from");
      await bad("GET", `${models}?model_id=not-a-uuid`, undefined, "model_id");
      await bad("GET", `${models}?model_id=${"%00".repeat(4)}`, undefined, "model_id");
      const rollup = "/system-metrics/rollup";
      await bad("POST", rollup, { day: "2026-02-29" }, "day");
      await bad("POST", rollup, { day: "9999-01-01" }, "day");
      await bad("POST", rollup, { day: "2999-01-01" }, "day");
      await bad("POST", rollup, { day: "2026-05-01\u0000" }, "day");
      await bad("POST", rollup, { day: 20260501 }, "day");
      await bad("POST", rollup, { day: "2026-05-01", extra: 1 }, "extra");
      await bad("POST", rollup, "[1,", "body");
      await bad("POST", "/system-metrics", [1], "body");
      await bad("POST", "/system-metrics", { note: "a\u0000b" }, "note");
      const prune = "/system-metrics/maintenance/prune";
      const svc = asService();
      await bad("POST", prune, { batch_size: 0 }, "batch_size", svc);
      await bad("POST", prune, { batch_size: 1e9 }, "batch_size", svc);
      await bad("POST", prune, { time_budget_ms: -1 }, "time_budget_ms", svc);
      await bad("POST", prune, { time_budget_ms: 1.5 }, "time_budget_ms", svc);
    } finally {
      await cleanup(sql, [admin], []);
    }
  });
});
