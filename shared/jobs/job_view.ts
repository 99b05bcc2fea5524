/** How jobs and their assets are read for a user (under RLS) and shown in responses. */
import { z } from "@hono/zod-openapi";
import type { Tables } from "../db/database.types.ts";
import type { Claims } from "../db/scopes.ts";
import { asUser } from "../db/scopes.ts";
import type { JobDeps } from "./job_deps.ts";

type Job = Tables<"jobs">;

/** A job in API responses. */
export const jobSummarySchema = z.object({
  id: z.uuid(),
  status: z.enum(["queued", "processing", "completed", "failed", "cancelled"]),
  modality: z.enum(["image", "video"]),
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
    modality: job.modality as "image" | "video",
    model: { id: job.api_model_id, key: model?.model.model_key ?? null },
    cost_credits: job.cost_credits,
    created_at: job.created_at,
    completed_at: job.completed_at,
    error: job.error_code || job.error_message
      ? { code: job.error_code, message: job.error_message }
      : null,
  };
}

/**
 * The caller's own job, or undefined. RLS would also show an admin everyone's jobs; the user
 * routes act on the caller's own only (admin tooling is separate), hence the explicit owner.
 */
export async function findJob(deps: JobDeps, claims: Claims, id: string): Promise<Job | undefined> {
  const [job] = await asUser(
    deps.db,
    claims,
    (tx) => tx<Job[]>`select * from public.jobs where id = ${id} and user_id = (select auth.uid())`,
  );
  return job;
}

/** An asset row as read for the caller. */
interface AssetRow {
  id: string;
  index: number;
  bucket: string;
  path: string;
  mime_type: string;
  size_bytes: number;
  width: number | null;
  height: number | null;
  duration_seconds: number | null;
  seed: number | null;
}

/**
 * The caller's own job and its assets (RLS decides for each asset too) in one statement, with
 * signed preview URLs; undefined when the job is not the caller's (an admin's included).
 */
export async function findJobWithAssets(deps: JobDeps, claims: Claims, id: string) {
  // Sent with other requests' statements when several are ready (group commit), as the caller.
  const [[row]] = await deps.commits.runAsUser(claims, (tx) =>
    [
      tx<(Job & { assets: AssetRow[] })[]>`
      select j.*, coalesce((
        select json_agg(a order by a.index) from (
          select id, asset_index as index, 'workspace-temp' as bucket, temp_storage_path as path, mime_type,
            file_size_bytes as size_bytes, width, height, duration_seconds, generation_seed as seed
          from public.workspace_assets where job_id = j.id
          union all
          select id, asset_index, 'user-library', storage_path, mime_type, file_size_bytes, width, height,
            duration_seconds, generation_seed
          from public.user_library where source_job_id = j.id
        ) a), '[]') as assets
      from public.jobs j where j.id = ${id} and j.user_id = (select auth.uid())`,
    ] as const);
  if (!row) return undefined;
  const { assets, ...job } = row;
  return { job: job as Job, assets: await withPreviews(deps, assets) };
}

async function withPreviews(deps: JobDeps, rows: AssetRow[]) {
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
