/** How jobs and their assets are read for a user (under RLS) and shown in responses. */
import { z } from "@hono/zod-openapi";
import type { Claims } from "../db/scopes.ts";
import { asUser } from "../db/scopes.ts";
import * as jobs from "../db/tables/jobs.ts";
import type { Job, JobAssetRow } from "../db/tables/jobs.ts";
import type { JobDeps } from "./job_deps.ts";
import { JOB_STATUSES, MEDIA_KINDS, type MediaKind } from "../vocabulary.ts";

/** A job in API responses. */
export const jobSummarySchema = z.object({
  id: z.uuid(),
  status: z.enum(JOB_STATUSES),
  modality: z.enum(MEDIA_KINDS),
  model: z.object({ id: z.uuid().nullable(), key: z.string().nullable() }),
  cost_credits: z.number().int(),
  created_at: z.string(),
  completed_at: z.string().nullable().optional(),
  error: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable()
    .optional(),
}).openapi("JobSummary");

/** An asset of a job, with a short-lived preview URL. */
export const jobAssetSchema = z.object({
  id: z.uuid(),
  index: z.number().int(),
  bucket: z.string(),
  path: z.string(),
  mime_type: z.string(),
  size_bytes: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  duration_seconds: z.number().nullable(),
  seed: z.number().nullable(),
  preview_url: z.string().nullable(),
}).openapi("JobAsset");

/** The summary of a job. */
export async function summarize(deps: JobDeps, job: Job) {
  const model = job.api_model_id ? await deps.registry.modelById(job.api_model_id) : undefined;
  return {
    id: job.id,
    status: job.status as z.infer<typeof jobSummarySchema>["status"],
    modality: job.modality as MediaKind,
    model: { id: job.api_model_id, key: model?.model.model_key ?? null },
    cost_credits: job.cost_credits,
    created_at: job.created_at,
    completed_at: job.completed_at,
    error: job.error_code || job.error_message
      ? { code: job.error_code, message: job.error_message }
      : null,
  };
}

/** The caller's own job (an admin's own too: user routes never act on others' jobs), or undefined. */
export async function findJob(deps: JobDeps, claims: Claims, id: string): Promise<Job | undefined> {
  const [job] = await asUser(deps.db, claims, (tx) => jobs.ownJob(tx, id));
  return job;
}

/**
 * The caller's own job and its assets (RLS decides for each asset too) in one statement, with
 * signed preview URLs; undefined when the job is not the caller's.
 */
export async function findJobWithAssets(deps: JobDeps, claims: Claims, id: string) {
  // Sent with other requests' statements when several are ready (group commit), as the caller.
  const [[row]] = await deps.commits.runAsUser(
    claims,
    (tx) => [jobs.ownJobWithAssets(tx, id)] as const,
  );
  if (!row) return undefined;
  const { assets, ...job } = row;
  return { job: job as Job, assets: await withPreviews(deps, assets) };
}

async function withPreviews(deps: JobDeps, rows: JobAssetRow[]) {
  if (rows.length === 0) return [];
  // The rows were read under the caller's RLS, so signing their paths exposes only their own objects.
  const byBucket = new Map<string, string[]>();
  for (const r of rows) byBucket.set(r.bucket, [...(byBucket.get(r.bucket) ?? []), r.path]);
  const urls = new Map<string, string | null>();
  for (const [bucket, paths] of byBucket) {
    const signed = await deps.store.signedUrls(bucket, paths, 3600).catch(() => []);
    for (const s of signed) urls.set(`${bucket}/${s.path}`, s.url);
  }
  return rows.map((r) => ({ ...r, preview_url: urls.get(`${r.bucket}/${r.path}`) ?? null }));
}
