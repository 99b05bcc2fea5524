import { assertEquals, assertMatch, assertRejects } from "../support/assert.ts";
import { asAnon, asService, asUser } from "../../shared/db/scopes.ts";
import { createTestUser, deleteTestUsers, withDb } from "../support/stack.ts";

Deno.test("asUser enforces RLS on the identity tables; asService sees everything", async () => {
  await withDb(async (sql) => {
    const a = await createTestUser(sql);
    const b = await createTestUser(sql);
    try {
      const ownA = await asUser(
        sql,
        a.claims,
        (tx) => tx`select id from public.profiles where id = ${a.id}`,
      );
      assertEquals(ownA.length, 1, "A sees their own profile");
      const seenByB = await asUser(
        sql,
        b.claims,
        (tx) => tx`select id from public.profiles where id = ${a.id}`,
      );
      assertEquals(seenByB.length, 0, "B does not see A's profile");
      await assertRejects(
        () => asAnon(sql, (tx) => tx`select id from public.profiles`),
        /permission denied for table profiles/,
        "anon has no access to profiles at all",
      );
      const updatedByB = await asUser(
        sql,
        b.claims,
        (tx) =>
          tx`update public.profiles set username = 'stolen_name' where id = ${a.id} returning id`,
      );
      assertEquals(updatedByB.length, 0, "B cannot update A's profile");
      const rolesSeenByB = await asUser(
        sql,
        b.claims,
        (tx) => tx`select 1 from public.user_roles where user_id = ${a.id}`,
      );
      assertEquals(rolesSeenByB.length, 0, "B does not see A's roles");
      const asSvc = await asService(
        sql,
        (tx) => tx`select id from public.profiles where id in (${a.id}, ${b.id})`,
      );
      assertEquals(asSvc.length, 2, "service sees both");
      await assertRejects(
        () =>
          asUser(
            sql,
            a.claims,
            (tx) => tx`update public.profiles set token_balance = 999999 where id = ${a.id}`,
          ),
        /permission denied/,
        "A cannot raise their own credits",
      );
      const claims = await asUser(
        sql,
        a.claims,
        (tx) =>
          tx<
            { uid: string; role: string }[]
          >`select auth.uid()::text as uid, current_user::text as role`,
      );
      assertEquals(claims[0], { uid: a.id, role: "authenticated" });
      const [{ unchanged }] = await sql<
        { unchanged: number }[]
      >`select token_balance as unchanged from public.profiles where id = ${a.id}`;
      assertEquals(unchanged, 100);
    } finally {
      await deleteTestUsers(sql, a, b);
    }
  });
});

Deno.test("a failed asUser transaction rolls back and leaves the role unchanged on the connection", async () => {
  await withDb(async (sql) => {
    const a = await createTestUser(sql);
    try {
      await assertRejects(() =>
        asUser(sql, a.claims, async (tx) => {
          await tx`update public.profiles set username = 'rolled_back_name' where id = ${a.id}`;
          await tx`select 1/0`;
        })
      );
      const [row] =
        await sql`select username, current_user::text as role, current_setting('request.jwt.claims', true) as claims from public.profiles where id = ${a.id}`;
      assertEquals(row.username, null);
      assertEquals(row.role, "postgres");
      assertEquals(row.claims || null, null);
    } finally {
      await deleteTestUsers(sql, a);
    }
  });
});

Deno.test("a scope returning its statements runs them in one transaction: all or nothing", async () => {
  await withDb(async (sql) => {
    const a = await createTestUser(sql);
    try {
      const [who, mine] = await asUser(sql, a.claims, (tx) =>
        [
          tx<
            { uid: string; role: string }[]
          >`select auth.uid()::text as uid, current_user::text as role`,
          tx<{ id: string }[]>`select id from public.profiles`,
        ] as const);
      assertEquals(who[0], { uid: a.id, role: "authenticated" });
      assertEquals(mine.map((r) => r.id), [a.id]);

      // The update is sent with a failing statement: the error surfaces and the update is undone.
      await assertRejects(
        () =>
          asUser(sql, a.claims, (tx) => [
            tx`update public.profiles set username = 'one_trip_name' where id = ${a.id}`,
            tx`select 1/0`,
          ]),
        Error,
        "division by zero",
      );
      const [row] = await sql`select username from public.profiles where id = ${a.id}`;
      assertEquals(row.username, null);

      // A parameter JSON cannot hold fails the scope before anything is sent, so the statements
      // around it do not commit without it.
      await assertRejects(
        () =>
          asService(sql, (tx) => [
            tx`update public.profiles set username = 'half_sent_name' where id = ${a.id}`,
            tx`select ${tx.json({ n: 1n } as never)}::jsonb`,
            tx`update public.profiles set subscription_status = 'pro' where id = ${a.id}`,
          ]),
        /BigInt/,
      );
      const [after] = await sql`
        select username, subscription_status from public.profiles where id = ${a.id}`;
      assertEquals(
        [after.username, after.subscription_status],
        [null, "inactive"],
        "none committed",
      );

      // Many scopes at once on a small pool: every one sees its own claims, never another's.
      const users = [a, ...await Promise.all([1, 2, 3].map(() => createTestUser(sql)))];
      try {
        const seen = await Promise.all(
          Array.from({ length: 40 }, (_, i) => users[i % users.length]).map((u) =>
            asUser(sql, u.claims, (tx) => tx<{ uid: string }[]>`select auth.uid()::text as uid`)
              .then(([r]) => [u.id, r.uid])
          ),
        );
        for (const [expected, got] of seen) assertEquals(got, expected);
      } finally {
        await deleteTestUsers(sql, ...users.slice(1));
      }
    } finally {
      await deleteTestUsers(sql, a);
    }
  });
});

Deno.test("a statement built after its scope ended is refused, not run outside the transaction", async () => {
  await withDb(async (sql) => {
    let kept: ((s: TemplateStringsArray) => unknown) | undefined;
    await asService(sql, (tx) => {
      kept = tx as unknown as typeof kept;
      return tx`select 1`;
    });
    assertEquals(typeof kept, "function");
    let refused: unknown;
    try {
      kept!`select current_user`;
    } catch (err) {
      refused = err;
    }
    assertMatch(String(refused), /after its database scope ended/);
  });
});

Deno.test("values arrive as the generated types say", async () => {
  await withDb(async (sql) => {
    const [row] =
      await sql`select now() as ts, '2026-01-02'::date as d, 9007199254740991::int8 as big,
      12.5::numeric(7,2) as num, 42::int4 as i, '{"a":[1]}'::jsonb as j, array['x','y']::text[] as arr,
      '2026-03-04 05:06:07.123456+00'::timestamptz as precise`;
    assertMatch(row.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
    assertEquals(row.precise, "2026-03-04T05:06:07.123456+00:00");
    assertEquals(new Date(row.precise).toISOString(), "2026-03-04T05:06:07.123Z");
    assertEquals(row.d, "2026-01-02");
    assertEquals(row.big, 9007199254740991);
    assertEquals(row.num, 12.5);
    assertEquals(row.i, 42);
    assertEquals(row.j, { a: [1] });
    assertEquals(row.arr, ["x", "y"]);
    await assertRejects(() => sql`select 9007199254740993::int8 as too_big`, RangeError);
    const [back] =
      await sql`select ${row.precise}::timestamptz = '2026-03-04 05:06:07.123456+00'::timestamptz as same`;
    assertEquals(back.same, true, "a timestamp string round-trips without losing microseconds");
  });
});
