import { assertEquals, assertOk } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
} from "../support/jobs.ts";
import { withDb } from "../support/stack.ts";

type Body = Record<string, unknown>;
const err = (b: Body) =>
  b.error as { code: string; message: string; details?: { field: string }[] };

Deno.test("idempotency: replay, conflict, and a 402 keeps the key usable", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 2);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const key = { "idempotency-key": `k-${crypto.randomUUID()}` };
      const expensive = await callFn(user, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        num_images: 3,
      }, key);
      assertEquals(expensive.status, 402);
      assertEquals(err(expensive.body).code, "INSUFFICIENT_CREDITS");
      const first = await callFn(
        user,
        "POST",
        "/queue-job",
        { prompt: "p", model_id: model.id },
        key,
      );
      assertEquals(first.status, 202, "the key is still usable after a 402");
      const replay = await callFn(
        user,
        "POST",
        "/queue-job",
        { model_id: model.id, prompt: "p" },
        key,
      );
      assertEquals(replay.status, 202);
      assertEquals(
        (replay.body.job as Body).id,
        (first.body.job as Body).id,
        "same key and body → the first job",
      );
      const other = await callFn(
        user,
        "POST",
        "/queue-job",
        { prompt: "q", model_id: model.id },
        key,
      );
      assertEquals(other.status, 409);
      const [{ n, balance }] = await sql`select count(*)::int as n, min(p.token_balance) as balance
        from public.jobs j join public.profiles p on p.id = j.user_id where j.user_id = ${user.id}`;
      assertEquals([n, balance], [1, 1], "one job, charged once");
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("concurrent requests never overdraw: 50 requests from a user who can afford 10 make 10 jobs", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    const [{ config }] = await sql`select config from public.system_config where id = 1`;
    try {
      await sql`update public.system_config set config = config || '{"max_active_jobs_per_user": 100}' where id = 1`;
      const model = await createSimModel(sql, provider.id, { delay_ms: 2000 });
      const results = await Promise.all(
        Array.from(
          { length: 50 },
          (_, i) => callFn(user, "POST", "/queue-job", { prompt: `race ${i}`, model_id: model.id }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      assertEquals(statuses.filter((s) => s === 202).length, 10, JSON.stringify(statuses));
      assertEquals(statuses.filter((s) => s === 402).length, 40);
      const [{ n, balance }] =
        await sql`select (select count(*)::int from public.jobs where user_id = ${user.id}) as n,
        (select token_balance from public.profiles where id = ${user.id}) as balance`;
      assertEquals([n, balance], [10, 0]);
    } finally {
      await sql`update public.system_config set config = ${sql.json(config)} where id = 1`;
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("the per-user cap answers 429 with Retry-After", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 5000 });
      const [{ cap }] =
        await sql`select (config->>'max_active_jobs_per_user')::int as cap from public.system_config where id = 1`;
      for (let i = 0; i < cap; i++) {
        assertEquals(
          (await callFn(user, "POST", "/queue-job", { prompt: `c${i}`, model_id: model.id }))
            .status,
          202,
        );
      }
      const over = await callFn(user, "POST", "/queue-job", {
        prompt: "one too many",
        model_id: model.id,
      });
      assertEquals(over.status, 429);
      assertEquals(err(over.body).code, "RATE_LIMITED");
      assertOk(Number(over.headers.get("retry-after")) > 0);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
