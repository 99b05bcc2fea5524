/**
 * Fixtures for workspace-actions tests: workspace assets whose objects are really stored (through
 * the Storage simulator, by the service-role adapter), library items made by the function itself,
 * HTTP helpers for its routes, and a clean-up that removes every object of the test users through
 * the Storage API (SQL may not delete storage rows).
 */
import type { Sql } from "../../shared/db/client.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";
import type { ObjectStore } from "../../shared/storage/object_store.ts";
import { BUCKETS } from "../../shared/vocabulary.ts";
import { pngBytes } from "../../simulators/media/images.ts";
import { callFn } from "./jobs.ts";
import { deleteTestUsers, stack, type TestUser } from "./stack.ts";

/** The service-role store the tests use to set up and inspect objects. */
export function serviceStore(): ObjectStore {
  return createSupabaseObjectStore({
    url: stack.gatewayUrl,
    key: Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!,
  });
}

/** A stored workspace asset. */
export interface TestAsset {
  id: string;
  path: string;
  thumbnail: string | null;
  bytes: Uint8Array;
}

/** Options for {@link makeAsset}. */
export interface AssetOptions {
  jobId?: string | null;
  index?: number;
  thumbnail?: boolean;
  expiresAt?: string;
  /** Store the row with this path instead (the object is not uploaded). */
  rowPath?: string;
  /** Leave the object out (a row whose file is gone). */
  noObject?: boolean;
  prompt?: string;
}

/** Uploads a PNG (and a thumbnail) under the user's folder and inserts its workspace row. */
export async function makeAsset(sql: Sql, user: TestUser, opts: AssetOptions = {}) {
  const store = serviceStore();
  const id = crypto.randomUUID();
  const shade = () => Math.floor(Math.random() * 256);
  const bytes = await pngBytes(8, 8, { color: [shade(), shade(), shade()] });
  const path = opts.rowPath ?? `${user.id}/${id}/0.png`;
  const thumbnail = opts.thumbnail ? `${user.id}/${id}/0.thumb.webp` : null;
  if (!opts.noObject && !opts.rowPath) {
    await store.put(BUCKETS.workspace, path, bytes, { contentType: "image/png" });
  }
  if (thumbnail) {
    await store.put(BUCKETS.workspace, thumbnail, new Uint8Array([1, 2, 3]), {
      contentType: "image/webp",
    });
  }
  await sql`
    insert into public.workspace_assets (id, user_id, asset_type, temp_storage_path, thumbnail_path,
      file_size_bytes, mime_type, width, height, job_id, asset_index, original_prompt, model_used,
      generation_seed, expires_at)
    values (${id}, ${user.id}, 'image', ${path}, ${thumbnail}, ${bytes.length}, 'image/png', 8, 8,
      ${opts.jobId ?? null}, ${opts.index ?? 0}, ${opts.prompt ?? "a test image"}, 'test/model',
      42, ${opts.expiresAt ?? new Date(Date.now() + 86_400_000).toISOString()})`;
  return { id, path, thumbnail, bytes } satisfies TestAsset;
}

/** A completed job row of the user's (no provider involved), for the job routes. */
export async function makeJob(sql: Sql, user: TestUser): Promise<string> {
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (user_id, prompt, modality, status, completed_at)
    values (${user.id}, 'a test job', 'image', 'completed', now())
    returning id`;
  return job.id;
}

/** Calls a workspace-actions route through the gateway. */
export function wa(user: TestUser | null, method: string, path: string, body?: unknown) {
  return callFn(user, method, `/workspace-actions${path}`, body);
}

/** Object names in a bucket under a prefix, as storage.objects has them (reading is allowed). */
export async function objectNames(sql: Sql, bucket: string, prefix: string): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select name from storage.objects where bucket_id = ${bucket} and starts_with(name, ${prefix})
    order by name`;
  return rows.map((r) => r.name);
}

/** Reads an object's bytes through the service store. */
export async function readObject(bucket: string, path: string): Promise<Uint8Array> {
  const got = await serviceStore().download(bucket, path);
  return new Uint8Array(await new Response(got.body).arrayBuffer());
}

/** Removes the users' objects through the Storage API, then the users (rows cascade). */
export async function cleanupWorkspace(sql: Sql, ...users: TestUser[]): Promise<void> {
  const store = serviceStore();
  for (const user of users) {
    for (const bucket of [BUCKETS.workspace, BUCKETS.library, BUCKETS.reference]) {
      const names = await objectNames(sql, bucket, `${user.id}/`);
      if (names.length) await store.remove(bucket, names);
    }
  }
  if (users.length) await deleteTestUsers(sql, ...users);
}
