/**
 * `POST /object/list/{bucket}` like Storage's `storage.search`: one level under `prefix` (a
 * folder: a trailing `/` is implied), folders as entries with null id and metadata, `search`
 * as a further name prefix. As on Storage, prefixes match case-insensitively (D8), name order is
 * `lower(name) COLLATE "C"` with files and folders mixed (D7), `limit` is 1 to 1500 (0 is a 400,
 * D10), other sort columns list the folders first, and a bucket that does not exist lists
 * nothing (D9). Only rows the caller's select policy shows are listed.
 */
import { z } from "zod";
import type { StorageCaller } from "./storage_auth.ts";
import { parseJson, type SimContext } from "./storage_context.ts";
import { type ObjectRow, runAs } from "./storage_db.ts";
import { jsonResponse } from "./storage_responses.ts";
import { mustBeValidBucketName } from "./storage_rules.ts";

const listBody = z.object({
  prefix: z.string().default(""),
  limit: z.number().int().min(1).default(100),
  offset: z.number().int().min(0).default(0),
  search: z.string().optional(),
  sortBy: z.object({
    column: z.enum(["name", "updated_at", "created_at", "last_accessed_at"]).default("name"),
    order: z.enum(["asc", "desc"]).default("asc"),
  }).partial().optional(),
});

// storage.search never returns more than this many entries.
const MAX_LIMIT = 1500;

type Entry =
  & Pick<
    ObjectRow,
    "name" | "id" | "updated_at" | "created_at" | "last_accessed_at" | "metadata"
  >
  & { folder: boolean };

/** Lists one folder level of a bucket. */
export async function handleList(
  ctx: SimContext,
  req: Request,
  bucket: string,
  caller: StorageCaller,
): Promise<Response> {
  mustBeValidBucketName(bucket);
  const body = await parseJson(req, listBody);
  const prefix = body.prefix === "" || body.prefix.endsWith("/") ? body.prefix : `${body.prefix}/`;
  const match = (prefix + (body.search ?? "")).toLowerCase();
  const rows = await runAs(ctx.sql, caller, (tx) =>
    tx<Omit<Entry, "folder">[]>`
      select name, id, updated_at, created_at, last_accessed_at, metadata
      from storage.objects
      where bucket_id = ${bucket} and starts_with(lower(name), ${match})`);
  const entries = new Map<string, Entry>();
  const firstKey = new Map<string, string>();
  for (const row of rows) {
    const rest = row.name.slice(prefix.length);
    const slash = rest.indexOf("/", match.length - prefix.length);
    if (slash === -1) {
      entries.set(`f:${rest}`, { ...row, name: rest, folder: false });
      continue;
    }
    // A folder takes the spelling of the first key seen under it, as Storage's skip-scan does.
    const name = rest.slice(0, slash);
    const key = `d:${name.toLowerCase()}`;
    const lower = row.name.toLowerCase();
    const first = firstKey.get(key);
    if (first === undefined || lower < first) {
      firstKey.set(key, lower);
      entries.set(key, {
        name,
        id: null as unknown as string,
        updated_at: null,
        created_at: null,
        last_accessed_at: null,
        metadata: null,
        folder: true,
      });
    }
  }
  const column = body.sortBy?.column ?? "name";
  const desc = body.sortBy?.order === "desc";
  const nameKey = (e: Entry) => (e.folder ? `${e.name}/` : e.name).toLowerCase();
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const all = [...entries.values()];
  const sorted = column === "name"
    ? all.sort((a, b) => (desc ? -1 : 1) * cmp(nameKey(a), nameKey(b)))
    : [
      ...all.filter((e) => e.folder).sort((a, b) => (desc ? -1 : 1) * cmp(a.name, b.name)),
      ...all.filter((e) => !e.folder).sort((a, b) =>
        (desc ? -1 : 1) * cmp(String(a[column] ?? ""), String(b[column] ?? ""))
      ),
    ];
  const page = sorted.slice(body.offset, body.offset + Math.min(body.limit, MAX_LIMIT));
  return jsonResponse(page.map(({ folder: _, ...e }) => e));
}
