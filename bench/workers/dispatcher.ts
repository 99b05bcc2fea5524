/**
 * Scenario 9 worker: one dispatcher instance, built exactly as queue-job's index.ts builds its
 * dependencies, running `runDispatch` rounds (default limit and concurrency) until a round
 * claims nothing. Prints `ready` once connected, waits for a line on stdin (so every instance
 * starts at once), then prints `{"claimed", "submitted", "rounds", "ms"}`.
 */
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps } from "../../shared/http/function_deps.ts";
import { buildJobDeps } from "../../shared/jobs/job_deps.ts";
import { runDispatch } from "../../shared/jobs/dispatcher.ts";

const config = loadConfig(Deno.env.toObject());
const deps = buildFunctionDeps(config, "queue-job");
const jobs = buildJobDeps({ config, db: deps.db, log: deps.log, env: (n) => Deno.env.get(n) });
await deps.db`select 1`;
console.log("ready");
const reader = Deno.stdin.readable.getReader();
await reader.read();
reader.releaseLock();

const started = performance.now();
let claimed = 0;
let submitted = 0;
let rounds = 0;
for (;;) {
  const counts = await runDispatch(jobs);
  rounds++;
  claimed += counts.claimed;
  submitted += counts.submitted;
  if (counts.claimed === 0) break;
}
console.log(
  JSON.stringify({
    claimed,
    submitted,
    rounds,
    ms: performance.now() - started,
  }),
);
await deps.db.end({ timeout: 1 });
