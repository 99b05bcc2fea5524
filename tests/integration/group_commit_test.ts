import { assertEquals, assertOk, assertRejects } from "../support/assert.ts";
import { createGroupCommit, type GroupCommit } from "../../shared/db/group_commit.ts";
import { createTestUser, deleteTestUsers, withDb } from "../support/stack.ts";

const TABLE = "public.group_commit_probe";

/** A scratch table the service role may write (dropped again by each test). */
async function withProbeTable(
  fn: (sql: Parameters<Parameters<typeof withDb>[0]>[0]) => Promise<void>,
) {
  await withDb(async (sql) => {
    await sql.unsafe(`create table if not exists ${TABLE} (k text primary key)`);
    await sql.unsafe(`grant all on ${TABLE} to service_role`);
    try {
      await fn(sql);
    } finally {
      await sql.unsafe(`drop table if exists ${TABLE}`);
    }
  });
}

Deno.test("group commit: requests made together share one transaction and get their own results", async () => {
  await withDb(async (sql) => {
    const group = createGroupCommit(sql);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        group.run((tx) =>
          [
            tx<{ n: number; xid: string }[]>`select ${i}::int as n, txid_current()::text as xid`,
            tx<{ role: string }[]>`select current_user as role`,
          ] as const
        )),
    );
    results.forEach(([[row], [who]], i) => {
      assertEquals(row.n, i, "each request gets its own statement's rows");
      assertEquals(who.role, "service_role");
    });
    const xids = new Set(results.map(([[row]]) => row.xid));
    assertEquals(xids.size, 1, "ten requests of one tick went in one transaction");
  });
});

Deno.test("group commit: maxBatch bounds a transaction", async () => {
  await withDb(async (sql) => {
    const group = createGroupCommit(sql, { maxBatch: 2, maxInFlight: 1 });
    const results = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          group.run((tx) => [tx<{ xid: string }[]>`select txid_current()::text as xid`] as const),
      ),
    );
    const perXid = new Map<string, number>();
    for (const [[{ xid }]] of results) perXid.set(xid, (perXid.get(xid) ?? 0) + 1);
    assertEquals([...perXid.values()].sort(), [1, 2, 2], "5 requests in groups of at most 2");
  });
});

Deno.test("group commit: a failing request fails alone; the others commit", async () => {
  await withProbeTable(async (sql) => {
    const group = createGroupCommit(sql);
    const keys = ["a", "b", "c", "d"];
    const settled = await Promise.allSettled([
      ...keys.map((k) =>
        group.run((tx) => [tx`insert into public.group_commit_probe values (${k})`] as const)
      ),
      // Two statements: the first would succeed, the second raises; neither may stay.
      group.run((tx) =>
        [
          tx`insert into public.group_commit_probe values ('partial')`,
          tx`select 1 / 0`,
        ] as const
      ),
    ]);
    assertEquals(settled.slice(0, 4).map((s) => s.status), [
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    const failed = settled[4];
    assertOk(failed.status === "rejected" && /division by zero/.test(String(failed.reason)));
    const rows = await sql<{ k: string }[]>`select k from public.group_commit_probe order by k`;
    assertEquals(
      rows.map((r) => r.k),
      keys,
      "the others committed; the failed request left nothing",
    );
  });
});

Deno.test("group commit: a request that cannot even be built is refused alone", async () => {
  await withProbeTable(async (sql) => {
    const group = createGroupCommit(sql);
    const ok = group.run((tx) =>
      [tx`insert into public.group_commit_probe values ('kept')`] as const
    );
    const bad = group.run(() => {
      throw new Error("bad input");
    });
    await assertRejects(() => bad, /bad input/);
    await ok;
    const rows = await sql<{ k: string }[]>`select k from public.group_commit_probe`;
    assertEquals(rows.map((r) => r.k), ["kept"]);
  });
});

Deno.test("group commit: users' requests in one transaction each run as their own user, under RLS", async () => {
  await withDb(async (sql) => {
    const a = await createTestUser(sql);
    const b = await createTestUser(sql);
    try {
      const group = createGroupCommit(sql);
      const probe = (tx: Parameters<Parameters<typeof group.run>[0]>[0], other: string) =>
        [
          tx<{ uid: string | null; role: string; xid: string }[]>`
            select auth.uid()::text as uid, current_user as role, txid_current()::text as xid`,
          tx<{ id: string }[]>`select id from public.profiles where id = ${other}`,
        ] as const;
      const [asA, asB, svc, asA2] = await Promise.all([
        group.runAsUser(a.claims, (tx) => probe(tx, b.id)),
        group.runAsUser(b.claims, (tx) => probe(tx, a.id)),
        group.run((tx) => probe(tx, a.id)),
        group.runAsUser(a.claims, (tx) => probe(tx, a.id)),
      ]);
      assertEquals(new Set([asA, asB, svc, asA2].map(([[r]]) => r.xid)).size, 1, "one transaction");
      assertEquals([asA[0][0].uid, asA[0][0].role], [a.id, "authenticated"]);
      assertEquals([asB[0][0].uid, asB[0][0].role], [b.id, "authenticated"]);
      assertEquals([svc[0][0].uid, svc[0][0].role], [null, "service_role"]);
      assertEquals(asA[1].length, 0, "A does not see B's profile");
      assertEquals(asB[1].length, 0, "B does not see A's profile");
      assertEquals(svc[1].length, 1, "the service path sees it");
      assertEquals(asA2[1].length, 1, "A sees their own");
    } finally {
      await deleteTestUsers(sql, a, b);
    }
  });
});

Deno.test("group commit: a user's refused write fails alone and runs as that user when retried", async () => {
  await withDb(async (sql) => {
    const a = await createTestUser(sql);
    try {
      const group = createGroupCommit(sql);
      const [refused, read] = await Promise.allSettled([
        group.runAsUser(
          a.claims,
          (tx) =>
            [tx`update public.profiles set token_balance = 999999 where id = ${a.id}`] as const,
        ),
        group.runAsUser(
          a.claims,
          (tx) =>
            [tx<{ id: string }[]>`select id from public.profiles where id = ${a.id}`] as const,
        ),
      ]);
      assertOk(refused.status === "rejected" && /permission denied/.test(String(refused.reason)));
      assertOk(read.status === "fulfilled" && read.value[0].length === 1);
      const [{ balance }] = await sql<{ balance: number }[]>`
        select token_balance as balance from public.profiles where id = ${a.id}`;
      assertOk(balance !== 999999, "the balance is unchanged");
    } finally {
      await deleteTestUsers(sql, a);
    }
  });
});

Deno.test("group commit: only unsent statements are accepted; anything else is refused alone", async () => {
  await withProbeTable(async (sql) => {
    const group = createGroupCommit(sql);
    const [ok, bad] = await Promise.allSettled([
      group.run((tx) => [tx`insert into public.group_commit_probe values ('kept')`] as const),
      group.run(() => [Promise.resolve([]) as never] as const),
    ]);
    assertEquals(ok.status, "fulfilled");
    assertOk(bad.status === "rejected" && /unsent statements/.test(String(bad.reason)));
    const rows = await sql<{ k: string }[]>`select k from public.group_commit_probe`;
    assertEquals(rows.map((r) => r.k), ["kept"]);
  });
});

/**
 * Never called: `deno check` fails if a promise derived from a statement (which would run at
 * once, before its request's identity switch) is accepted as a statement.
 */
export function _derivedPromisesDoNotTypeCheck(group: GroupCommit) {
  // @ts-expect-error: `.then` starts the query; a group takes unsent statements only.
  return group.run((tx) => [tx`select 1`.then((rows) => rows)] as const);
}

Deno.test("group commit: keyed requests run in key order, after the unkeyed ones", async () => {
  await withDb(async (sql) => {
    const table = "public.group_commit_order";
    await sql.unsafe(`create table if not exists ${table} (n bigserial primary key, k text)`);
    await sql.unsafe(`grant all on ${table} to service_role`);
    await sql.unsafe(`grant usage on sequence ${table}_n_seq to service_role`);
    try {
      const group = createGroupCommit(sql);
      const keys = ["f", "b", undefined, "d", "a", undefined];
      await Promise.all(keys.map((key, i) =>
        group.run(
          (tx) =>
            [tx`insert into public.group_commit_order (k) values (${key ?? `none${i}`})`] as const,
          { lockKey: key },
        )
      ));
      const rows = await sql<{ k: string }[]>`select k from public.group_commit_order order by n`;
      assertEquals(rows.map((r) => r.k), ["none2", "none5", "a", "b", "d", "f"]);
    } finally {
      await sql.unsafe(`drop table if exists ${table}`);
    }
  });
});

Deno.test("group commit: two committers locking the same users never deadlock (lock order by key)", async () => {
  await withDb(async (sql) => {
    const [a, b] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      // Two processes' committers; each group locks both profiles, named in opposite orders, and
      // holds the first lock a moment. Without a common order this is a deadlock Postgres breaks
      // by failing one group, whose requests then rerun alone (in transactions of their own).
      const lockThenWait = (group: GroupCommit, id: string) =>
        group.run(
          (tx) =>
            [
              tx`select id from public.profiles where id = ${id} for no key update`,
              tx<{ xid: string }[]>`select pg_sleep(0.1), txid_current()::text as xid`,
            ] as const,
          { lockKey: id },
        );
      const one = createGroupCommit(sql);
      const two = createGroupCommit(sql);
      const results = await Promise.all([
        lockThenWait(one, a.id),
        lockThenWait(one, b.id),
        lockThenWait(two, b.id),
        lockThenWait(two, a.id),
      ]);
      const xids = results.map(([, [row]]) => row.xid);
      assertEquals(xids[0], xids[1], "the first committer's group committed whole");
      assertEquals(xids[2], xids[3], "the second committer's group committed whole");
    } finally {
      await deleteTestUsers(sql, a, b);
    }
  });
});
