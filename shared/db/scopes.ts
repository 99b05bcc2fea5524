/**
 * Transactions scoped to a caller. `asUser` does what PostgREST does (role + JWT claims as
 * transaction-local settings), so RLS protects a function's queries exactly as it protects a
 * frontend's. `asService` is the privileged path; every call site says why it needs it.
 */
import type { Sql, Tx } from "./client.ts";

/** The JWT claims a scope runs with; `sub` and `role` are what policies read. */
export interface Claims {
  sub?: string;
  role?: string;
  [claim: string]: unknown;
}

async function scoped<T>(sql: Sql, role: string, claims: Claims, fn: (tx: Tx) => Promise<T>) {
  return await sql.begin(async (tx) => {
    // Sent without awaiting, so it is pipelined ahead of the caller's first query on the same
    // connection: the wrapper costs no extra round trip. If it fails, the next query fails too.
    const setup = tx`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${
      JSON.stringify(claims)
    }, true)`.execute();
    setup.catch(() => {});
    const result = await fn(tx);
    await setup;
    return result;
  }) as T;
}

/**
 * Runs `fn` in a transaction as the JWT's role (`authenticated`, or `anon` for the anon key),
 * with the claims visible to `auth.uid()` / `auth.jwt()`. Never elevates to service_role.
 */
export function asUser<T>(sql: Sql, claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const role = claims.role === "anon" ? "anon" : "authenticated";
  return scoped(sql, role, { ...claims, role }, fn);
}

/** Runs `fn` as `anon` (no user). */
export function asAnon<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return scoped(sql, "anon", { role: "anon" }, fn);
}

/**
 * Runs `fn` as `service_role`, which bypasses RLS. Only for what no user may do directly
 * (webhooks, dispatch, credit changes, rollups, audit rows).
 */
export function asService<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return scoped(sql, "service_role", { role: "service_role" }, fn);
}
