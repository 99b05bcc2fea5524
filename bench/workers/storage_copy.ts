/**
 * Scenario 10's anchor: the same server-side copy workspace-actions makes when it saves an asset,
 * done by a bare supabase-js client with the service key and nothing else (no auth, no database,
 * no checks). BENCH_CLIENTS callers each loop `storage.from(bucket).copy(...)` from BENCH_SOURCES
 * (JSON list of paths in workspace-temp, one per caller) to fresh paths under BENCH_DEST_PREFIX in
 * user-library for BENCH_SECONDS. Prints `{"ops", "ms", "p99", "errors", "paths"}`.
 */
import { createClient } from "@supabase/supabase-js";

const env = (k: string) => Deno.env.get(k)!;
const storage = createClient(env("SUPABASE_URL"), env("SUPABASE_SERVICE_ROLE_KEY"), {
  auth: {
    persistSession: false,
    autoRefreshToken: false,
    detectSessionInUrl: false,
  },
}).storage;
const sources = JSON.parse(env("BENCH_SOURCES")) as string[];
const prefix = env("BENCH_DEST_PREFIX");
const clients = Number(env("BENCH_CLIENTS"));
const seconds = Number(env("BENCH_SECONDS"));

const latencies: number[] = [];
const paths: string[] = [];
let errors = 0;
const started = performance.now();
const deadline = started + seconds * 1000;
await Promise.all(Array.from({ length: clients }, async (_, c) => {
  for (let i = 0; performance.now() < deadline; i++) {
    const to = `${prefix}/${c}-${i}.png`;
    const t = performance.now();
    const { error } = await storage.from("workspace-temp").copy(
      sources[c % sources.length],
      to,
      {
        destinationBucket: "user-library",
      },
    );
    if (error) {
      errors++;
      continue;
    }
    latencies.push(performance.now() - t);
    paths.push(to);
  }
}));
const ms = performance.now() - started;
latencies.sort((a, b) => a - b);
const p99 = latencies[Math.max(0, Math.ceil(latencies.length * 0.99) - 1)] ??
  NaN;
console.log(JSON.stringify({ ops: latencies.length, ms, p99, errors, paths }));
