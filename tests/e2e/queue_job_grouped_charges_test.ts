/**
 * Charges committed together: concurrent enqueues share group transactions, yet each stays
 * all-or-nothing, and the charge's profile lock never waits on a foreign-key check.
 */
import { assertEquals, eventually } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  jobOf,
} from "../support/jobs.ts";
import { withDb } from "../support/stack.ts";

Deno.test("a charge does not wait on another transaction's foreign-key check of the same profile", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const holder = await sql.reserve();
    const other = await sql.reserve();
    try {
      // A completion inserting the user's rows holds KEY SHARE on the profile until it commits;
      // the charge's lock (NO KEY UPDATE) does not conflict with it. FOR UPDATE would wait here,
      // and charges and completions committed in groups could deadlock.
      await holder`begin`;
      await holder`insert into public.usage_logs (user_id, kind, action, credits_consumed)
        values (${user.id}::uuid, 'charge', 'fk-probe', 0)`;
      await other`begin`;
      await other`set local lock_timeout = '300ms'`;
      const [row] = await other`select outcome from public.enqueue_job(${user.id}::uuid,
        ${other.json({ modality: "image", prompt: "during a completion" })}, 5)`;
      assertEquals(row.outcome, "created");
      await other`rollback`;
      await holder`rollback`;
    } finally {
      await holder`rollback`.catch(() => {});
      await other`rollback`.catch(() => {});
      holder.release();
      other.release();
      await cleanup(sql, [user], []);
    }
  });
});

Deno.test("concurrent enqueues share commits: a deleted account's 403 never fails or doubles another user's charge", async () => {
  await withDb(async (sql) => {
    const users = await Promise.all(Array.from({ length: 6 }, () => createFundedUser(sql, 100)));
    const ghost = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 5000 });
      // A valid token whose profile is gone: enqueue_job raises, which rolls back any group
      // transaction it shares; the others must run again alone, once each.
      await sql`delete from public.profiles where id = ${ghost.id}`;
      const callers = [...users, ghost].flatMap((u) => [u, u, u]);
      const answers = await Promise.all(
        callers.map((u, i) =>
          callFn(u, "POST", "/queue-job", { prompt: `g${i}`, model_id: model.id })
        ),
      );
      answers.forEach((a, i) =>
        assertEquals(a.status, callers[i] === ghost ? 403 : 202, JSON.stringify(a.body))
      );
      const ids = users.map((u) => u.id);
      // Audit rows are written after the answers; wait until every request's is there.
      await eventually(
        () =>
          sql`select count(*)::int as n from public.user_activity_log
            where user_id = any(${ids}::uuid[]) and action = 'job.create'`,
        ([{ n }]) => n >= 3 * users.length,
      );
      const rows = await sql`select p.id, p.token_balance as balance,
          (select count(*)::int from public.jobs j where j.user_id = p.id) as jobs,
          (select count(*)::int from public.usage_logs l where l.user_id = p.id and l.kind = 'charge') as charges,
          (select count(*)::int from public.user_activity_log a
            where a.user_id = p.id and a.action = 'job.create') as audited
        from public.profiles p where p.id = any(${ids}::uuid[])`;
      assertEquals(rows.length, users.length);
      const cost = jobOf(answers[0]).cost_credits as number;
      for (const r of rows) {
        assertEquals([r.jobs, r.charges, r.audited, r.balance], [3, 3, 3, 100 - 3 * cost]);
      }
      const [{ ghostJobs }] =
        await sql`select count(*)::int as "ghostJobs" from public.jobs where user_id = ${ghost.id}`;
      assertEquals(ghostJobs, 0);
    } finally {
      await cleanup(sql, [...users, ghost], [provider]);
    }
  });
});
