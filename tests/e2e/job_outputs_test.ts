import { assertEquals, assertOk } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  dispatch,
  waitForJob,
} from "../support/jobs.ts";
import { withDb } from "../support/stack.ts";

type Row = Record<string, unknown>;
const jobId = (res: { body: Row }) => (res.body.job as Row).id as string;

Deno.test("library destination and partial outputs: rows in user_library, missing outputs refunded", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { outputs: 1 });
      const id = jobId(
        await callFn(user, "POST", "/queue-job", {
          prompt: "one of three",
          model_id: model.id,
          num_images: 3,
          destination: "library",
        }),
      );
      const done = await waitForJob(sql, id);
      assertEquals(done.status, "completed");
      const rows =
        await sql`select storage_path, asset_index from public.user_library where source_job_id = ${id}`;
      assertEquals(rows.map((r) => r.storage_path), [`${user.id}/${id}/0.png`]);
      assertEquals(
        (await sql`select 1 from public.workspace_assets where job_id = ${id}`).length,
        0,
      );
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 9, "charged 3, refunded the 2 missing outputs");
      const read = await callFn(user, "GET", `/queue-job/jobs/${id}`);
      const [asset] = read.body.assets as Row[];
      assertEquals(asset.bucket, "user-library");
      const bytes = await (await fetch(asset.preview_url as string)).arrayBuffer();
      assertOk(bytes.byteLength > 0);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("200 jobs with 30% duplicated and 20% reordered webhooks all end right, balances exact", async () => {
  await withDb(async (sql) => {
    const users = await Promise.all(Array.from({ length: 20 }, () => createFundedUser(sql, 10)));
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, {
        delay_ms: 20,
        webhook: { duplicate: 0.3, reorder: 0.2 },
      });
      const expected = new Map<string, string>();
      await Promise.all(users.map(async (user, u) => {
        for (let i = 0; i < 10; i++) {
          const fail = (u * 10 + i) % 4 === 0;
          const prompt = fail
            ? `job ${u}-${i} [[sim:{"outcome":"failed","error":"boom"}]]`
            : `job ${u}-${i}`;
          const res = await callFn(user, "POST", "/queue-job", { prompt, model_id: model.id });
          assertEquals(res.status, 202, JSON.stringify(res.body));
          expected.set(jobId(res), fail ? "failed" : "completed");
        }
      }));
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const [{ open }] =
          await sql`select count(*)::int as open from public.jobs where id = any(${[
            ...expected.keys(),
          ]}::uuid[])
          and status in ('queued', 'processing')`;
        if (open === 0) break;
        await dispatch({ limit: 100, webhook_overdue_seconds: 5 });
        await new Promise((r) => setTimeout(r, 200));
      }
      const rows = await sql`select id, status from public.jobs where id = any(${[
        ...expected.keys(),
      ]}::uuid[])`;
      const wrong = rows.filter((r) => expected.get(r.id) !== r.status);
      assertEquals(wrong.length, 0, JSON.stringify(wrong.slice(0, 5)));
      const balances = await sql`select p.id, p.token_balance as b,
          (select count(*)::int from public.jobs j where j.user_id = p.id and j.status = 'failed') as failed
        from public.profiles p where p.id = any(${users.map((u) => u.id)}::uuid[])`;
      for (const b of balances) {
        assertEquals(b.b, b.failed, "each user keeps exactly the credits of their failed jobs");
      }
      const [{ dupAssets }] =
        await sql`select count(*)::int as "dupAssets" from (select job_id from public.workspace_assets
        where job_id = any(${[...expected.keys()]}::uuid[]) group by job_id having count(*) > 1) d`;
      assertEquals(dupAssets, 0);
      const [{ refunds }] =
        await sql`select count(*)::int as refunds from public.usage_logs where kind = 'refund' and job_id = any(${[
          ...expected.keys(),
        ]}::uuid[])`;
      assertEquals(refunds, [...expected.values()].filter((s) => s === "failed").length);
    } finally {
      await cleanup(sql, users, [provider]);
    }
  });
});
