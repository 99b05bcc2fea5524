/**
 * What workspace-actions answers: workspace assets, library items and collections as API
 * objects (paths with their bucket named), and the signed URLs lists carry.
 */
import { z } from "@hono/zod-openapi";
import type { WorkspaceAsset } from "../../shared/db/tables/workspace_assets.ts";
import type { LibraryItem } from "../../shared/db/tables/user_library.ts";
import type { Collection } from "../../shared/db/tables/user_collections.ts";
import type { Logger } from "../../shared/log.ts";
import type { ObjectStore } from "../../shared/storage/object_store.ts";
import { MEDIA_KINDS, TABLE_BUCKETS } from "../../shared/vocabulary.ts";
import { isOwnPath } from "./object_paths.ts";

/** How long the signed URLs of a list stay valid. */
export const LIST_URL_SECONDS = 3600;

const media = {
  asset_type: z.enum(MEDIA_KINDS),
  bucket: z.string(),
  path: z.string(),
  thumbnail_path: z.string().nullable(),
  mime_type: z.string(),
  size_bytes: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  duration_seconds: z.number().nullable(),
  seed: z.number().nullable(),
  prompt: z.string(),
  model_used: z.string(),
  created_at: z.string(),
};

/** A workspace asset in responses. */
export const assetSchema = z.object({
  id: z.uuid(),
  job_id: z.uuid().nullable(),
  asset_index: z.number().int(),
  source_library_id: z.uuid().nullable(),
  ...media,
  expires_at: z.string(),
  url: z.string().nullable().optional(),
  thumbnail_url: z.string().nullable().optional(),
}).openapi("WorkspaceAsset");

/** A library item in responses. */
export const itemSchema = z.object({
  id: z.uuid(),
  ...media,
  title: z.string().nullable(),
  tags: z.array(z.string()),
  is_favorite: z.boolean(),
  visibility: z.enum(["private", "unlisted", "public"]),
  collection_id: z.uuid().nullable(),
  source_job_id: z.uuid().nullable(),
  source_asset_id: z.uuid().nullable(),
  updated_at: z.string(),
  url: z.string().nullable().optional(),
  thumbnail_url: z.string().nullable().optional(),
}).openapi("LibraryItem");

/** A collection in responses. */
export const collectionSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  asset_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("Collection");

/** A workspace asset as the API shows it. */
export function assetView(a: WorkspaceAsset) {
  return {
    id: a.id,
    job_id: a.job_id,
    asset_index: a.asset_index,
    source_library_id: a.source_library_id,
    asset_type: a.asset_type as z.infer<typeof assetSchema>["asset_type"],
    bucket: TABLE_BUCKETS.workspace_assets,
    path: a.temp_storage_path,
    thumbnail_path: a.thumbnail_path,
    mime_type: a.mime_type,
    size_bytes: a.file_size_bytes,
    width: a.width,
    height: a.height,
    duration_seconds: a.duration_seconds,
    seed: a.generation_seed,
    prompt: a.original_prompt,
    model_used: a.model_used,
    created_at: a.created_at,
    expires_at: a.expires_at,
  };
}

/** A library item as the API shows it. */
export function itemView(l: LibraryItem) {
  return {
    id: l.id,
    asset_type: l.asset_type as z.infer<typeof itemSchema>["asset_type"],
    bucket: TABLE_BUCKETS.user_library,
    path: l.storage_path,
    thumbnail_path: l.thumbnail_path,
    mime_type: l.mime_type,
    size_bytes: l.file_size_bytes,
    width: l.width,
    height: l.height,
    duration_seconds: l.duration_seconds,
    seed: l.generation_seed,
    prompt: l.original_prompt,
    model_used: l.model_used,
    created_at: l.created_at,
    title: l.custom_title,
    tags: l.tags,
    is_favorite: l.is_favorite,
    visibility: l.visibility as z.infer<typeof itemSchema>["visibility"],
    collection_id: l.collection_id,
    source_job_id: l.source_job_id,
    source_asset_id: l.source_asset_id,
    updated_at: l.updated_at,
  };
}

/** A collection as the API shows it. */
export function collectionView(c: Collection) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    asset_count: c.asset_count,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

/**
 * Signs the main object and thumbnail of each view in one request per bucket. Only paths in the
 * caller's own folder are signed (rows were read under the caller's RLS, and the path is
 * checked again); anything else gets a null URL and a warning.
 */
export async function withUrls<
  T extends { bucket: string; path: string; thumbnail_path: string | null },
>(store: ObjectStore, log: Logger, userId: string, views: T[]) {
  const bucket = views[0]?.bucket;
  if (!bucket) return [];
  const paths = new Set<string>();
  for (const v of views) {
    for (const p of [v.path, v.thumbnail_path]) {
      if (p === null) continue;
      if (isOwnPath(userId, p)) paths.add(p);
      else log.warn("row path outside its owner's folder not signed", { bucket });
    }
  }
  // Service path: these paths are the caller's own (checked above), so signing exposes nothing else.
  const signed = paths.size > 0 ? await store.signedUrls(bucket, [...paths], LIST_URL_SECONDS) : [];
  const urls = new Map(signed.map((s) => [s.path, s.url]));
  return views.map((v) => ({
    ...v,
    url: urls.get(v.path) ?? null,
    thumbnail_url: v.thumbnail_path ? urls.get(v.thumbnail_path) ?? null : null,
  }));
}
