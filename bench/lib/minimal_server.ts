/**
 * The hand-written anchor (bench/servers/minimal.ts) as a process of its own, on the bench
 * database with the stack's JWT secret and pool size, and the job row every enqueue anchor uses.
 */
import { freePort } from "../../scripts/lib/cluster.ts";
import { CONTENT_MODE, DESTINATION, MEDIA_KIND, QUALITY } from "../../shared/vocabulary.ts";
import type { BenchContext } from "./context.ts";
import { spawnDeno, waitFor200 } from "./procs.ts";

/**
 * The job `POST /queue-job {prompt, model_id}` stores for the bench's models (registry default
 * size, a server-chosen seed), as enqueue_job takes it.
 */
export function benchJob(modelId: string, seed: number): Record<string, unknown> {
  return {
    modality: MEDIA_KIND.image,
    quality: QUALITY.fast,
    content_mode: CONTENT_MODE.sfw,
    destination: DESTINATION.workspace,
    api_model_id: modelId,
    job_type: null,
    original_prompt: "bench enqueue",
    prompt: "bench enqueue",
    negative_prompt: null,
    num_outputs: 1,
    seed,
    width: 1024,
    height: 1024,
    aspect_ratio: null,
    duration_seconds: null,
    reference_image_path: null,
    project_id: null,
    metadata: {},
  };
}

/** A running minimal server. */
export interface MinimalServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the minimal server and waits for it to answer. */
export async function startMinimalServer(ctx: BenchContext): Promise<MinimalServer> {
  const port = freePort();
  const env = ctx.stack.env;
  const child = spawnDeno("bench/servers/minimal.ts", {
    PORT: String(port),
    SUPABASE_DB_URL: env.SUPABASE_DB_URL,
    JWT_SECRET: env.JWT_SECRET,
    DB_POOL_MAX: env.DB_POOL_MAX ?? "4",
    BENCH_JOB: JSON.stringify(benchJob(ctx.fx.fastModel.id, 1000)),
    // The price enqueue_job charges; the pgbench anchors charge 1 too.
    BENCH_COST: "1",
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(`${url}/health`, performance.now());
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, stop: () => child.stop() };
}
