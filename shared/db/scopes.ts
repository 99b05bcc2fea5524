/**
 * Transactions scoped to a caller. `asUser` does what PostgREST does (role + JWT claims as
 * transaction-local settings), so RLS protects a function's queries exactly as it protects a
 * frontend's. `asService` is the privileged path; every call site says why it needs it.
 *
 * A scope runs on a connection reserved from the pool, and everything it can send at once goes
 * in one write: `begin`, the role and claims, the statements `fn` builds and, when `fn` returns
 * its statements rather than awaiting them, `commit` too. Such a scope costs one round trip,
 * where `sql.begin` costs three; under Deno the per-round-trip work (socket write, read event,
 * parse) is what bounds a function's throughput (bench/results/latest.md, "Where the time goes").
 */
import type postgres from "postgres";
import type { Sql, Tx } from "./client.ts";

/** The JWT claims a scope runs with; `sub` and `role` are what policies read. */
export interface Claims {
  sub?: string;
  role?: string;
  [claim: string]: unknown;
}

type Pending = postgres.PendingQuery<postgres.Row[]>;
type Results<Q> = { [K in keyof Q]: Q[K] extends PromiseLike<infer R> ? R : never };

/** What a scope resolves to: `fn`'s awaited value, or its statements' results. */
type ScopeResult<R> = R extends PromiseLike<infer U> ? U
  : R extends readonly unknown[] ? Results<R>
  : R;

/** True for an unsent postgres.js statement (a PendingQuery, not a promise derived from one). */
export const isQuery = (x: unknown): x is Pending =>
  typeof x === "object" && x !== null && typeof (x as Pending).execute === "function" &&
  typeof (x as Pending).then === "function";

/**
 * The handle `fn` sees: the reserved connection, refusing to build statements once the scope
 * has ended, so a statement cannot escape the transaction (and its role) by running later.
 */
function scopedHandle(conn: postgres.ReservedSql, isOpen: () => boolean): Tx {
  const check = () => {
    if (!isOpen()) throw new Error("statement built after its database scope ended");
  };
  const handle = ((...args: Parameters<postgres.ReservedSql>) => {
    check();
    return conn(...args);
  }) as unknown as Record<string, unknown>;
  Object.assign(handle, conn);
  handle.unsafe = (...args: Parameters<postgres.ReservedSql["unsafe"]>) => {
    check();
    return conn.unsafe(...args);
  };
  // postgres.js serialises a JSON parameter only when it writes the statement, after the scope
  // has already sent its commit: a value JSON cannot hold (a BigInt, a cycle) would fail that
  // one statement client-side while the others committed. Trying it here makes `fn` throw
  // instead, before anything is sent, so the scope rolls back whole.
  handle.json = (value: Parameters<postgres.ReservedSql["json"]>[0]) => {
    JSON.stringify(value);
    return conn.json(value);
  };
  return handle as unknown as Tx;
}

/** The first failure among settled statements (in the order they were sent). */
function firstFailure(settled: PromiseSettledResult<unknown>[]): unknown {
  return settled.find((s): s is PromiseRejectedResult => s.status === "rejected")?.reason;
}

/** The role and claims a user's scope runs with (`anon` for the anon key, never service_role). */
export function userScope(claims: Claims): { role: string; claims: Claims } {
  const role = claims.role === "anon" ? "anon" : "authenticated";
  return { role, claims: { ...claims, role } };
}

/** The statement that switches a transaction to `role` with `claims` (until the next one). */
export function scopeSettings(tx: Tx | postgres.ReservedSql, role: string, claims: Claims) {
  return tx`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${
    JSON.stringify(claims)
  }, true)`;
}

async function scoped<R>(sql: Sql, role: string, claims: Claims, fn: (tx: Tx) => R) {
  const conn = await sql.reserve();
  let open = true;
  try {
    const head = [conn`begin`.execute(), scopeSettings(conn, role, claims).execute()];
    let returned: R;
    try {
      returned = fn(scopedHandle(conn, () => open));
    } catch (err) {
      open = false;
      await Promise.allSettled(head);
      await conn`rollback`.catch(() => {});
      throw err;
    }
    const statements = isQuery(returned)
      ? [returned]
      : Array.isArray(returned) && returned.length > 0 && returned.every(isQuery)
      ? returned as Pending[]
      : undefined;
    if (statements) {
      // One round trip: the statements and commit go with begin. If any fails, the transaction
      // is aborted, the following ones fail with it and commit answers ROLLBACK.
      open = false;
      for (const s of statements) s.execute();
      const settled = await Promise.allSettled([...head, ...statements, conn`commit`.execute()]);
      const failure = firstFailure(settled);
      if (failure !== undefined) throw failure;
      const values = settled.slice(head.length, head.length + statements.length)
        .map((s) => (s as PromiseFulfilledResult<unknown>).value);
      return (isQuery(returned) ? values[0] : values) as ScopeResult<R>;
    }
    let result: ScopeResult<R>;
    try {
      result = await returned as ScopeResult<R>;
      const failure = firstFailure(await Promise.allSettled(head));
      if (failure !== undefined) throw failure;
    } catch (err) {
      open = false;
      await Promise.allSettled(head);
      await conn`rollback`.catch(() => {});
      throw err;
    }
    open = false;
    await conn`commit`;
    return result;
  } finally {
    open = false;
    conn.release();
  }
}

/**
 * Runs `fn` in a transaction as the JWT's role (`authenticated`, or `anon` for the anon key),
 * with the claims visible to `auth.uid()` / `auth.jwt()`. Never elevates to service_role.
 */
export function asUser<R>(sql: Sql, claims: Claims, fn: (tx: Tx) => R): Promise<ScopeResult<R>> {
  const scope = userScope(claims);
  return scoped(sql, scope.role, scope.claims, fn);
}

/** Runs `fn` as `anon` (no user). */
export function asAnon<R>(sql: Sql, fn: (tx: Tx) => R): Promise<ScopeResult<R>> {
  return scoped(sql, "anon", { role: "anon" }, fn);
}

/**
 * Runs `fn` as `service_role`, which bypasses RLS. Only for what no user may do directly
 * (webhooks, dispatch, credit changes, rollups, audit rows).
 */
export function asService<R>(sql: Sql, fn: (tx: Tx) => R): Promise<ScopeResult<R>> {
  return scoped(sql, "service_role", { role: "service_role" }, fn);
}
