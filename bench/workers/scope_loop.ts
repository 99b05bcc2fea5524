/**
 * Scenario 1 diagnostic: the job read's database work alone, in its own process like a function
 * instance (postgres.js, a pool of 4, 32 callers at once) with no HTTP, no JWT and no JSON: each
 * caller loops `asUser` + the select by primary key for BENCH_SECONDS. With BENCH_MODE=bare
 * the select runs alone (no transaction, role or claims); with BENCH_MODE=group each read goes
 * through a group committer's `runAsUser`, as the function sends it. Prints `{"ops", "ms"}`.
 */
import { createDb } from "../../shared/db/client.ts";
import { createGroupCommit } from "../../shared/db/group_commit.ts";
import { asUser, type Claims } from "../../shared/db/scopes.ts";

const db = createDb(Deno.env.get("SUPABASE_DB_URL")!, {
  max: Number(Deno.env.get("DB_POOL_MAX") ?? 4),
});
const { claims, ids } = JSON.parse(
  await new Response(Deno.stdin.readable).text(),
) as {
  claims: Claims[];
  ids: string[];
};
const mode = Deno.env.get("BENCH_MODE") ?? "scope";
const group = createGroupCommit(db);
const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
await db`select 1`;

let ops = 0;
let stop = false;
const loop = async (i: number) => {
  while (!stop) {
    if (mode === "bare") await db`select * from public.jobs where id = ${ids[i]}`;
    else if (mode === "group") {
      await group.runAsUser(
        claims[i],
        (tx) => [tx`select * from public.jobs where id = ${ids[i]}`] as const,
      );
    } else await asUser(db, claims[i], (tx) => tx`select * from public.jobs where id = ${ids[i]}`);
    ops++;
  }
};
const started = performance.now();
setTimeout(() => stop = true, seconds * 1000);
await Promise.all(ids.map((_, i) => loop(i)));
console.log(JSON.stringify({ ops, ms: performance.now() - started }));
await db.end({ timeout: 1 });
