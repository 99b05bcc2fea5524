/**
 * Benchmark data, made with the test fixtures (tests/support): a provider on the Replicate
 * simulator with no rate limit, models whose simulator behaviour suits each scenario, and
 * funded users. Jobs are inserted in bulk through the real `enqueue_job`.
 */
import { createDb, type Sql } from "../../shared/db/client.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";
import type { ModelRow } from "../../shared/providers/registry.ts";
import { createFundedUser, createSimModel, createSimProvider } from "../../tests/support/jobs.ts";
import type { TestUser } from "../../tests/support/stack.ts";

/** Output size the simulator renders: small, so storage writes do not dominate every figure. */
export const OUTPUT_SIZE = { width: 64, height: 64 };

/** Everything the scenarios share. */
export interface Fixtures {
  /** Superuser pool (bench bookkeeping: bulk inserts, cleanup; bypasses RLS). */
  admin: Sql;
  provider: ProviderRow;
  /** Completes at once and sends its webhooks (start, completed): the full pipeline. */
  fastModel: ModelRow;
  /** Accepts submissions and never finishes or calls back: dispatch alone. */
  silentModel: ModelRow;
  /** Finishes at once without calling back: predictions for the webhook scenario. */
  quietDoneModel: ModelRow;
  users: TestUser[];
  close(): Promise<void>;
}

// The only events the Replicate adapter subscribes to (webhook_events_filter); the version
// column allows 128 characters, so the scenario names no more than it needs.
const ALL_EVENTS = ["start", "completed"];

/** Creates the shared fixtures; `users` funded users with credits to spare. */
export async function createFixtures(
  adminUrl: string,
  users: number,
): Promise<Fixtures> {
  const admin = createDb(adminUrl, { max: 8, applicationName: "bench-admin" });
  // The per-user cap would stop a benchmark user long before the load does.
  await admin`update public.system_config
    set config = config || jsonb_build_object('max_active_jobs_per_user', 100000000) where id = 1`;
  const provider = await createSimProvider(admin, {
    name: `bench-${crypto.randomUUID().slice(0, 8)}`,
  });
  // A zero-latency prediction can finish before the dispatcher has recorded it; provider-webhooks
  // then answers 503 and the terminal event is retried (Replicate retries for minutes; the
  // simulator's default of 3 retries spans 350 ms, too short under load).
  const fastModel = await createSimModel(admin, provider.id, {
    delay_ms: 0,
    ...OUTPUT_SIZE,
    webhook: { retries: 8 },
  });
  const silentModel = await createSimModel(admin, provider.id, {
    delay_ms: 24 * 3600_000,
    webhook: { drop: ALL_EVENTS },
  });
  const quietDoneModel = await createSimModel(admin, provider.id, {
    delay_ms: 0,
    ...OUTPUT_SIZE,
    webhook: { drop: ALL_EVENTS },
  });
  const made: TestUser[] = [];
  for (let i = 0; i < users; i++) {
    made.push(await createFundedUser(admin, 1_000_000_000));
  }
  return {
    admin,
    provider,
    fastModel,
    silentModel,
    quietDoneModel,
    users: made,
    close: () => admin.end({ timeout: 2 }),
  };
}

/**
 * Inserts `count` queued jobs for `modelId`, round-robin over `users`, through the real
 * `enqueue_job` (charge, ledger row, insert), in one statement. Returns their ids.
 */
export async function insertQueuedJobs(
  fx: Fixtures,
  modelId: string,
  count: number,
  users: TestUser[] = fx.users,
): Promise<string[]> {
  const ids = users.map((u) => u.id);
  const rows = await fx.admin<{ job_id: string }[]>`
    select (public.enqueue_job((${ids}::uuid[])[1 + g % ${ids.length}], jsonb_build_object(
      'modality', 'image', 'quality', 'fast', 'content_mode', 'sfw', 'destination', 'workspace',
      'api_model_id', ${modelId}::uuid, 'prompt', 'bench job ' || g, 'original_prompt', 'bench job ' || g,
      'num_outputs', 1, 'width', ${OUTPUT_SIZE.width}::int, 'height', ${OUTPUT_SIZE.height}::int), 1)).job_id
    from generate_series(0, ${count - 1}) g`;
  return rows.map((r) => r.job_id);
}

/** Counts a model's jobs that are not terminal yet. */
export async function activeJobs(
  fx: Fixtures,
  modelId?: string,
): Promise<number> {
  const [row] = await fx.admin<{ n: number }[]>`
    select count(*)::int as n from public.jobs
    where status in ('queued', 'processing') ${
    modelId ? fx.admin`and api_model_id = ${modelId}::uuid` : fx.admin``
  }`;
  return row.n;
}

/** Removes a model's jobs (between runs, so each run starts from the same state). */
export async function deleteJobs(fx: Fixtures, modelId: string): Promise<void> {
  await fx.admin`delete from public.jobs where api_model_id = ${modelId}::uuid`;
}

/**
 * Runs a clean-up statement, again if Postgres breaks a deadlock with it: a bulk delete of jobs
 * the function processes are still moving (dispatch, completions) locks rows in another order.
 */
export async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1;; i++) {
    try {
      return await run();
    } catch (err) {
      if ((err as { code?: string }).code !== "40P01" || i >= attempts) throw err;
    }
  }
}
