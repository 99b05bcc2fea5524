/**
 * GET /system-metrics and the Prometheus exposition against hand-computed figures: per-model
 * and per-provider figures for this test's own models and provider, global counters as deltas
 * around the fixture insert (Deno runs test files one at a time and nothing else writes meanwhile;
 * every fixture time is minutes away from a window's edge).
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { callFn, cleanup, createFundedUser } from "../support/jobs.ts";
import {
  insertAssets,
  insertCalls,
  insertJobs,
  insertLedger,
  parsePrometheus,
  scrape,
} from "../support/metrics.ts";
import { createTestModel, createTestProvider } from "../support/providers.ts";
import { createTestUser, withDb } from "../support/stack.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const M = 60;
const H = 3600;

Deno.test("the overview and the Prometheus exposition report hand-computed figures", async () => {
  await withDb(async (sql) => {
    const admin = await createTestUser(sql, { admin: true });
    const provider = await createTestProvider(sql, { rate_limits: { requests_per_minute: 100 } });
    const users = [admin];
    try {
      const before = (await callFn(admin, "GET", "/system-metrics")).body as Any;
      const a = await createTestModel(sql, provider.id, {
        model_key: `metrics/a-${provider.name}`,
      });
      const b = await createTestModel(sql, provider.id, {
        model_key: `metrics/b-${provider.name}`,
      });
      const c1 = await createFundedUser(sql, 0);
      const c2 = await createFundedUser(sql, 0);
      const old = await createFundedUser(sql, 0);
      users.push(c1, c2, old);
      // Signed up two days ago: not new.
      await sql`update public.profiles set created_at = now() - interval '2 days' where id = ${old.id}`;
      await insertJobs(sql, [
        // Model A, finished in the last 24 h: runs of 10, 20 and 40 s, a failure, a cancellation.
        {
          userId: c1.id,
          modelId: a.id,
          status: "completed",
          startedAgoS: 30 * M,
          completedAgoS: 30 * M - 10,
        },
        {
          userId: c1.id,
          modelId: a.id,
          status: "completed",
          startedAgoS: 2 * H,
          completedAgoS: 2 * H - 20,
        },
        {
          userId: c2.id,
          modelId: a.id,
          status: "completed",
          startedAgoS: 3 * H,
          completedAgoS: 3 * H - 40,
        },
        {
          userId: c2.id,
          modelId: a.id,
          status: "failed",
          startedAgoS: 4 * H,
          completedAgoS: 4 * H - 5,
        },
        { userId: c2.id, modelId: a.id, status: "cancelled", completedAgoS: 5 * H },
        // Finished 25 h ago: outside every window.
        {
          userId: c1.id,
          modelId: a.id,
          status: "completed",
          startedAgoS: 25 * H,
          completedAgoS: 25 * H - 10,
        },
        // Queued (4) and processing (2).
        { userId: c1.id, modelId: a.id, status: "queued", createdAgoS: H },
        { userId: c1.id, modelId: a.id, status: "queued", createdAgoS: 10 * M },
        { userId: c1.id, modelId: a.id, status: "queued", createdAgoS: 10 * M },
        { userId: c2.id, modelId: a.id, status: "queued", createdAgoS: 10 * M },
        { userId: c2.id, modelId: a.id, status: "processing", createdAgoS: 2 * M, startedAgoS: M },
        { userId: c2.id, modelId: a.id, status: "processing", createdAgoS: 2 * M, startedAgoS: M },
        // Model B: one 8 s run 20 minutes ago; one job queued for 10 days (the oldest anywhere).
        {
          userId: c1.id,
          modelId: b.id,
          status: "completed",
          startedAgoS: 20 * M + 8,
          completedAgoS: 20 * M,
        },
        { userId: c1.id, modelId: b.id, status: "queued", createdAgoS: 10 * 24 * H },
      ]);
      await insertCalls(sql, [
        { providerId: provider.id, modelId: a.id, agoS: 5 * M, status: 201, latencyMs: 100 },
        { providerId: provider.id, modelId: a.id, agoS: 10 * M, status: 201, latencyMs: 200 },
        {
          providerId: provider.id,
          modelId: a.id,
          agoS: 15 * M,
          status: 500,
          latencyMs: 300,
          error: "boom",
        },
        {
          providerId: provider.id,
          modelId: b.id,
          agoS: 20 * M,
          status: null,
          latencyMs: 1000,
          error: "timeout",
        },
        { providerId: provider.id, modelId: b.id, agoS: 2 * H, status: 201, latencyMs: 5 },
      ]);
      await sql`insert into public.api_model_health (model_id, consecutive_failures, cooldown_until)
        values (${a.id}, 3, now() + interval '10 minutes'), (${b.id}, 3, now() + interval '5 minutes')`;
      // 30 requests in this minute and the next two (the request may land in either).
      await sql`insert into public.provider_rate_windows (provider_id, window_start, request_count)
        select ${provider.id}, date_trunc('minute', now()) + make_interval(mins => g), 30
        from generate_series(0, 2) g`;
      await insertLedger(sql, c1.id, "charge", 10, H);
      await insertLedger(sql, c2.id, "charge", 5, H);
      await insertLedger(sql, c2.id, "refund", -5, 30 * M);
      await insertLedger(sql, old.id, "charge", 7, 30 * H);
      await insertAssets(sql, c1.id, 1234, 5678);

      const res = await callFn(admin, "GET", "/system-metrics");
      assertEquals(res.status, 200);
      const after = res.body as Any;
      const delta = (f: (o: Any) => number) => f(after) - f(before);

      assertEquals(delta((o) => o.jobs.by_status.queued), 5, "queued");
      assertEquals(delta((o) => o.jobs.by_status.processing), 2, "processing");
      assertEquals(delta((o) => o.jobs.by_status.completed), 4, "completed in 24 h");
      assertEquals(delta((o) => o.jobs.by_status.failed), 1, "failed in 24 h");
      assertEquals(delta((o) => o.jobs.by_status.cancelled), 1, "cancelled in 24 h");
      assertEquals(delta((o) => o.jobs.completed_1h), 2, "completed in the last hour");
      assertEquals(delta((o) => o.jobs.completed_24h), 4, "completed in 24 h");
      const { completed, failed } = after.jobs.by_status;
      assertEquals(
        after.jobs.success_rate_24h,
        Math.round((completed / (completed + failed)) * 10_000) / 10_000,
      );
      const age = after.jobs.oldest_queued_age_s;
      assertOk(age >= 10 * 24 * H && age < 10 * 24 * H + 120, `oldest queued age ${age}`);

      // This test's two models, A first.
      const mine = (list: Any[]) => [a.id, b.id].map((id) => list.find((r) => r.model_id === id));
      assertEquals(mine(after.jobs.queued_by_model), [
        { model_id: a.id, model_key: a.model_key, queued: 4 },
        { model_id: b.id, model_key: b.model_key, queued: 1 },
      ]);
      // A: runs 10, 20, 40 s: p50 20 s, p95 = 20 + 0.9 x 20 = 38 s. B: one run of 8 s.
      assertEquals(mine(after.jobs.generation_ms), [
        { model_id: a.id, model_key: a.model_key, p50: 20000, p95: 38000, samples: 3 },
        { model_id: b.id, model_key: b.model_key, p50: 8000, p95: 8000, samples: 1 },
      ]);
      // ETA: A = max(4 x 23.333 s / 2 processing, 5 queued on the provider x 60 / 100) = 46.67
      // -> 47 s; B = max(1 x 8 s / 1, 3 s) = 8 s.
      assertEquals(mine(after.queues.eta), [
        {
          model_id: a.id,
          model_key: a.model_key,
          queued: 4,
          processing: 2,
          avg_generation_ms: 23333,
          concurrency: 2,
          rate_limit_per_minute: 100,
          eta_s: 47,
        },
        {
          model_id: b.id,
          model_key: b.model_key,
          queued: 1,
          processing: 0,
          avg_generation_ms: 8000,
          concurrency: 1,
          rate_limit_per_minute: 100,
          eta_s: 8,
        },
      ]);

      // Four calls in the last hour, two failed (a 500, a timeout without status); latencies
      // 100, 200, 300, 1000 ms: p95 = 300 + 0.85 x 700 = 895 ms.
      const p = after.providers.find((x: Any) => x.id === provider.id);
      const cooldown = await sql<{ until: string }[]>`
        select cooldown_until as until from public.api_model_health where model_id = ${a.id}`;
      assertEquals(p, {
        id: provider.id,
        name: provider.name,
        requests_1h: 4,
        error_rate_1h: 0.5,
        p95_latency_ms: 895,
        cooldown_until: p.cooldown_until,
        rate_limit_per_minute: 100,
        rate_limit_remaining: 70,
      });
      assertEquals(Date.parse(p.cooldown_until), Date.parse(cooldown[0].until), "latest cooldown");

      assertEquals(delta((o) => o.credits.charged_24h), 15, "charged");
      assertEquals(delta((o) => o.credits.refunded_24h), 5, "refunded");
      assertEquals(delta((o) => o.users.active_24h), 2, "users charged in 24 h");
      assertEquals(delta((o) => o.users.new_24h), 2, "users signed up in 24 h");
      assertEquals(delta((o) => o.storage.workspace_bytes), 1234);
      assertEquals(delta((o) => o.storage.library_bytes), 5678);
      assertOk(Math.abs(Date.parse(after.generated_at) - Date.now()) < 60_000, "generated_at");

      // The reference frontend's POST gets the same figures.
      const posted = await callFn(admin, "POST", "/system-metrics", {});
      assertEquals(posted.status, 200);
      // The same document, but for when it was made: the oldest queued job has aged meanwhile.
      const stable = (o: Any) => ({
        ...o,
        generated_at: null,
        jobs: { ...o.jobs, oldest_queued_age_s: null },
      });
      assertEquals(stable(posted.body), stable(after));
      const aged = (posted.body as Any).jobs.oldest_queued_age_s - after.jobs.oldest_queued_age_s;
      assertOk(aged >= 0 && aged < 60, `aged ${aged} s between the two reads`);

      // Prometheus: the token, an admin JWT; every line parses; the same figures.
      const prom = await scrape(Deno.env.get("METRICS_TOKEN")!);
      assertEquals(prom.status, 200, prom.text);
      assertEquals(prom.type, "text/plain; version=0.0.4; charset=utf-8");
      const parsed = parsePrometheus(prom.text);
      const value = (name: string, labels: Record<string, string>) =>
        parsed.samples.find((s) =>
          s.name === `genbackend_${name}` &&
          Object.entries(labels).every(([k, v]) => s.labels[k] === v)
        )?.value;
      assertEquals(value("jobs_queued", { model_id: a.id, model_key: a.model_key }), 4);
      assertEquals(
        value("job_generation_milliseconds", { model_id: a.id, quantile: "0.95" }),
        38000,
      );
      assertEquals(value("provider_requests_1h", { provider: provider.name }), 4);
      assertEquals(value("provider_error_ratio_1h", { provider: provider.name }), 0.5);
      assertEquals(value("provider_latency_p95_milliseconds", { provider: provider.name }), 895);
      assertEquals(value("provider_rate_limit_remaining", { provider: provider.name }), 70);
      assertEquals(value("queue_eta_seconds", { model_id: a.id }), 47);
      assertEquals(value("jobs", { status: "queued" }), after.jobs.by_status.queued);
      assertOk(parsed.types.size >= 19 && [...parsed.types.values()].every((t) => t === "gauge"));
      assertEquals((await scrape(admin.jwt)).status, 200, "an admin JWT scrapes too");
    } finally {
      // Provider call rows outlive their provider (provider_id set null): removed first.
      await sql`delete from public.api_usage_logs where provider_id = ${provider.id}`;
      await cleanup(sql, users, [provider]);
    }
  });
});
