/**
 * Scenario 3a worker: the dispatcher's database path alone, in its own process like a function
 * instance: claim due jobs with `claim_due_jobs` (dispatcher defaults: 25 per claim, 8 in
 * flight, a pool of 4), mark each submitted and then complete through `job_transition` (group
 * committed, as the dispatcher's submissions are), until nothing is left. Prints
 * `{"jobs", "ms", "claimMs", "claims", "transitionMs"}`.
 */
import { createDb } from "../../shared/db/client.ts";
import { createGroupCommit } from "../../shared/db/group_commit.ts";
import { asService } from "../../shared/db/scopes.ts";

const url = Deno.env.get("SUPABASE_DB_URL")!;
const limit = Number(Deno.env.get("BENCH_LIMIT") ?? 25);
const concurrency = Number(Deno.env.get("BENCH_CONCURRENCY") ?? 8);
const db = createDb(url, { max: Number(Deno.env.get("DB_POOL_MAX") ?? 4) });
const commits = createGroupCommit(db);
await db`select 1`;

const started = performance.now();
let done = 0;
// Timing spans for the profile: wall time spent claiming vs moving jobs.
let claimMs = 0;
let claims = 0;
// Summed over lanes (8 in flight): the average job's two job_transition transactions.
let transitionMs = 0;
for (;;) {
  const t = performance.now();
  const claimed = await asService(
    db,
    (tx) =>
      tx<
        { id: string }[]
      >`select id from public.claim_due_jobs(${limit}::int, 120)`,
  );
  claimMs += performance.now() - t;
  claims++;
  if (claimed.length === 0) break;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
      while (next < claimed.length) {
        const { id } = claimed[next++];
        const t0 = performance.now();
        await commits.run((tx) =>
          [
            tx`select * from public.job_transition(${id}::uuid, 'submitted',
            ${tx.json({ prediction_id: `bench-${id}` })})`,
          ] as const
        );
        await commits.run((tx) =>
          [
            tx`select * from public.job_transition(${id}::uuid, 'complete',
            ${tx.json({ outputs_stored: 1 })})`,
          ] as const
        );
        transitionMs += performance.now() - t0;
        done++;
      }
    }),
  );
}
console.log(
  JSON.stringify({
    jobs: done,
    ms: performance.now() - started,
    claimMs,
    claims,
    transitionMs,
  }),
);
await db.end({ timeout: 1 });
