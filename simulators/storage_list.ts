/**
 * `POST /object/list/{bucket}` like Storage's `storage.search`: one level under `prefix`,
 * folders as entries with null id and metadata, `search` as a name prefix, sorted by
 * `sortBy`, then `offset`/`limit`. Only rows the caller's select policy shows are listed.
 */
import { z } from "zod";
import type { StorageCaller } from "./storage_auth.ts";
import { parseJson, type SimContext } from "./storage_context.ts";
import { findBucket, type ObjectRow, runAs } from "./storage_db.ts";
import { jsonResponse } from "./storage_responses.ts";
import { mustBeValidBucketName } from "./storage_rules.ts";

const listBody = z.object({
  prefix: z.string().default(""),
  limit: z.number().int().min(0).default(100),
  offset: z.number().int().min(0).default(0),
  search: z.string().optional(),
  sortBy: z.object({
    column: z.enum(["name", "updated_at", "created_at", "last_accessed_at"]).default("name"),
    order: z.string().default("asc"),
  }).partial().optional(),
});

type Entry = Pick<
  ObjectRow,
  "name" | "id" | "updated_at" | "created_at" | "last_accessed_at" | "metadata"
>;

/** Lists one folder level of a bucket. */
export async function handleList(
  ctx: SimContext,
  req: Request,
  bucket: string,
  caller: StorageCaller,
): Promise<Response> {
  mustBeValidBucketName(bucket);
  const body = await parseJson(req, listBody);
  await findBucket(ctx.sql, bucket);
  const folder = body.prefix === "" ? "" : `${body.prefix.replace(/\/+$/, "")}/`;
  const rows = await runAs(ctx.sql, caller, (tx) =>
    tx<Entry[]>`
      select name, id, updated_at, created_at, last_accessed_at, metadata
      from storage.objects
      where bucket_id = ${bucket} and starts_with(name, ${folder})`);
  const entries = new Map<string, Entry>();
  for (const row of rows) {
    const rest = row.name.slice(folder.length);
    const slash = rest.indexOf("/");
    if (slash === -1) {
      entries.set(`f:${rest}`, { ...row, name: rest });
    } else if (!entries.has(`d:${rest.slice(0, slash)}`)) {
      const name = rest.slice(0, slash);
      entries.set(`d:${name}`, {
        name,
        id: null as unknown as string,
        updated_at: null,
        created_at: null,
        last_accessed_at: null,
        metadata: null,
      });
    }
  }
  const search = body.search?.toLowerCase() ?? "";
  const column = body.sortBy?.column ?? "name";
  const desc = (body.sortBy?.order ?? "asc").toLowerCase() === "desc";
  const list = [...entries.values()]
    .filter((e) => e.name.toLowerCase().startsWith(search))
    .sort((a, b) => {
      const x = String(a[column] ?? ""), y = String(b[column] ?? "");
      const cmp = x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      return desc ? -cmp : cmp;
    })
    .slice(body.offset, body.offset + body.limit);
  return jsonResponse(list);
}
