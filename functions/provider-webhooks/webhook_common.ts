/** What the provider webhook routes share: raw body, payload hash, job lookup. */
import type { Context } from "hono";
import type { Tables } from "../../shared/db/database.types.ts";
import { asService } from "../../shared/db/scopes.ts";
import { AppError } from "../../shared/errors.ts";
import type { HonoEnv } from "../../shared/http/context.ts";
import { encodeHex } from "../../shared/providers/encoding.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { applyReport, type OutcomeResult, type ProviderReport } from "../../shared/jobs/outcome.ts";
import { outputSource } from "../../shared/jobs/outputs.ts";
import { envPrefix, type ProviderRow } from "../../shared/providers/provider_config.ts";
import type { Verification } from "../../shared/providers/webhook_signatures.ts";

type Job = Tables<"jobs">;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The exact bytes the provider signed. */
export function rawBody(c: Context<HonoEnv>): Promise<Uint8Array> {
  // The app's body reader (shared/http/body_reader.ts) read and capped it before any route ran.
  return Promise.resolve(c.get("requestBody") ?? new Uint8Array(0));
}

/** sha256 hex of the body, kept with the delivery record. */
export async function payloadHash(body: Uint8Array): Promise<string> {
  return encodeHex(new Uint8Array(await crypto.subtle.digest("SHA-256", body)));
}

/** A 401 that says nothing about why (the reason goes to the log). */
export function refused(): AppError {
  return new AppError("UNAUTHORIZED", "Invalid webhook signature");
}

/** Waits for our own bookkeeping to link a prediction to the job named in the webhook URL. */
async function jobAwaitingLink(
  deps: JobDeps,
  predictionId: string,
  jobIdParam: string | undefined,
): Promise<Job | null> {
  if (!jobIdParam || !UUID.test(jobIdParam)) return null;
  // Our submit may still be recording the prediction id (the provider answered, and called
  // back, faster than that write). Wait a moment for the link before asking for redelivery.
  for (let i = 0; i < 20; i++) {
    // Service path: webhooks act for whichever user owns the job.
    const [pending] = await asService(
      deps.db,
      (tx) => tx<Job[]>`select * from public.jobs where id = ${jobIdParam}::uuid`,
    );
    if (!pending || pending.status !== "queued" || pending.lease_expires_at === null) break;
    if (pending.provider_prediction_id === predictionId) return pending;
    if (i === 19) {
      throw new AppError("UNAVAILABLE", "Job not ready for this delivery yet", { retryAfter: 2 });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const [linked] = await asService(
    deps.db,
    (tx) =>
      tx<Job[]>`select * from public.jobs where provider_prediction_id = ${predictionId} limit 1`,
  );
  return linked ?? null;
}

/**
 * The job a verified delivery is about, by the provider's id, and whether this delivery was
 * already processed (checked before any download), in one round trip. When our own bookkeeping
 * has not linked the prediction yet, the provider is asked to redeliver; an unknown id is
 * acknowledged with nothing written.
 */
export async function jobForDelivery(
  deps: JobDeps,
  d: Pick<VerifiedDelivery, "provider" | "generationId" | "deliveryId" | "jobIdParam">,
): Promise<{ job: Job | null; seen: boolean }> {
  // Service path: webhooks act for whichever user owns the job.
  const [[job], seen] = await asService(deps.db, (tx) =>
    [
      tx<Job[]>`select * from public.jobs where provider_prediction_id = ${d.generationId} limit 1`,
      tx`select 1 from public.webhook_events
        where provider = ${d.provider.name} and delivery_id = ${d.deliveryId}`,
    ] as const);
  return {
    job: job ?? await jobAwaitingLink(deps, d.generationId, d.jobIdParam),
    seen: seen.length > 0,
  };
}

/** A verified delivery, in our terms. */
export interface VerifiedDelivery {
  provider: ProviderRow;
  /** The provider's id for the generation (prediction id, video job id). */
  generationId: string;
  deliveryId: string;
  body: Uint8Array;
  eventType: string;
  report: ProviderReport;
  /** The `job_id` query parameter of our webhook URL. */
  jobIdParam?: string;
}

/**
 * The common path after a signature checked out: find the job, drop duplicates before any
 * download, then apply the report (store outputs, transition, refund) exactly once.
 */
export async function applyDelivery(
  deps: JobDeps,
  d: VerifiedDelivery,
): Promise<OutcomeResult | "ignored"> {
  const { job, seen } = await jobForDelivery(deps, d);
  if (!job) return "ignored";
  if (seen) return "duplicate";
  const model = job.api_model_id ? await deps.registry.modelById(job.api_model_id) : undefined;
  const endpoint = deps.registry.endpoint(d.provider);
  return await applyReport(deps, job, d.report, {
    delivery: {
      provider: d.provider.name,
      deliveryId: d.deliveryId,
      payloadHash: await payloadHash(d.body),
      eventType: d.eventType,
    },
    source: endpoint ? outputSource(endpoint) : { allowedHosts: d.provider.allowed_output_hosts },
    modelUsed: model?.model.model_key ?? "unknown",
  });
}

/**
 * Identifies and authenticates a callback's sender: the provider row named in the URL (of the
 * expected adapter), its webhook secret (`webhook_secret_name`, else `<NAME>_WEBHOOK_SECRET`),
 * and the signature over the raw body. Refusals say nothing about why; the log does.
 */
export async function verifySender(
  c: Context<HonoEnv>,
  deps: JobDeps,
  opts: {
    name: string;
    adapter: ProviderRow["adapter"];
    verify: (
      secret: string,
      headers: Headers,
      body: Uint8Array,
      nowSeconds: number,
    ) => Promise<Verification>;
  },
): Promise<{ row: ProviderRow; body: Uint8Array }> {
  const body = await rawBody(c);
  const row = await deps.registry.providerByName(opts.name);
  if (!row || row.adapter !== opts.adapter) throw refused();
  const secret = deps.env(row.webhook_secret_name ?? `${envPrefix(row.name)}_WEBHOOK_SECRET`);
  if (!secret) {
    deps.log.error("webhook secret missing", { provider: row.name });
    throw new AppError("UNAVAILABLE", "Webhook receiver not configured", { retryAfter: 60 });
  }
  const verdict = await opts.verify(
    secret,
    c.req.raw.headers,
    body,
    Math.floor(deps.now().getTime() / 1000),
  );
  if (!verdict.ok) {
    deps.log.warn("webhook refused", { provider: row.name, reason: verdict.reason });
    throw refused();
  }
  return { row, body };
}
