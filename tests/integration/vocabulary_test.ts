/**
 * shared/vocabulary.ts against the migrated database: every closed set equals its CHECK
 * constraint, and the buckets equal the rows the storage migration created, so a value added on
 * one side alone fails here.
 */
import { assertEquals } from "../support/assert.ts";
import { withDb } from "../support/stack.ts";
import type { Sql } from "../../shared/db/client.ts";
import {
  ACTIVE_JOB_STATUSES,
  BUCKET_IDS,
  BUCKETS,
  CONTENT_MODES,
  CONVERSATION_TYPES,
  DESTINATION_BUCKETS,
  DESTINATIONS,
  JOB_STATUSES,
  MEDIA_KINDS,
  MEMORY_TIERS,
  MESSAGE_TYPES,
  MODEL_MODALITIES,
  PUBLIC_BUCKETS,
  QUALITIES,
  TABLE_BUCKETS,
  TERMINAL_JOB_STATUSES,
} from "../../shared/vocabulary.ts";

// [table, column, the TS list its CHECK must equal]
const CHECKED_COLUMNS: [string, string, readonly string[]][] = [
  ["jobs", "status", JOB_STATUSES],
  ["jobs", "content_mode", CONTENT_MODES],
  ["jobs", "modality", MEDIA_KINDS],
  ["jobs", "format", MEDIA_KINDS],
  ["jobs", "quality", QUALITIES],
  ["jobs", "destination", DESTINATIONS],
  ["usage_logs", "quality", QUALITIES],
  ["workspace_assets", "asset_type", MEDIA_KINDS],
  ["user_library", "asset_type", MEDIA_KINDS],
  ["api_models", "modality", MODEL_MODALITIES],
  ["conversations", "conversation_type", CONVERSATION_TYPES],
  ["conversations", "memory_tier", MEMORY_TIERS],
  ["messages", "message_type", MESSAGE_TYPES],
  ["characters", "content_rating", CONTENT_MODES],
];

const sorted = (values: readonly string[]) => [...values].sort();

/** The values of `'a'::text, 'b'::text` in a constraint definition. */
function quotedValues(def: string): string[] {
  return [...def.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1].replaceAll("''", "'"));
}

/** The allowed values of the one single-column `= ANY (ARRAY[...])` CHECK on `table.column`. */
async function checkValues(sql: Sql, table: string, column: string): Promise<string[]> {
  const rows = await sql<{ name: string; def: string }[]>`
    select c.conname as name, pg_get_constraintdef(c.oid) as def
    from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'c' and c.conrelid = ${`public.${table}`}::regclass
      and cardinality(c.conkey) = 1 and a.attname = ${column}
      and pg_get_constraintdef(c.oid) like '%= ANY (ARRAY[%'`;
  assertEquals(
    rows.length,
    1,
    `one closed-set CHECK on ${table}.${column}: ${JSON.stringify(rows)}`,
  );
  return quotedValues(rows[0].def);
}

Deno.test("each closed set in shared/vocabulary.ts equals its CHECK constraint", async () => {
  await withDb(async (sql) => {
    for (const [table, column, values] of CHECKED_COLUMNS) {
      assertEquals(
        sorted(await checkValues(sql, table, column)),
        sorted(values),
        `${table}.${column} CHECK vs shared/vocabulary.ts`,
      );
    }
  });
});

Deno.test("active and terminal job statuses match jobs_terminal_completed_at and cover every status", async () => {
  await withDb(async (sql) => {
    const [row] = await sql<{ def: string }[]>`
      select pg_get_constraintdef(c.oid) as def from pg_constraint c
      where c.conrelid = 'public.jobs'::regclass and c.conname = 'jobs_terminal_completed_at'`;
    // "status in (<active>) or completed_at is not null": the rest are terminal.
    assertEquals(sorted(quotedValues(row.def)), sorted(ACTIVE_JOB_STATUSES));
  });
  assertEquals(sorted([...ACTIVE_JOB_STATUSES, ...TERMINAL_JOB_STATUSES]), sorted(JOB_STATUSES));
});

Deno.test("the buckets in shared/vocabulary.ts are the ones the migrations create", async () => {
  await withDb(async (sql) => {
    const rows = await sql<{ id: string; public: boolean }[]>`
      select id, public from storage.buckets`;
    assertEquals(sorted(rows.map((r) => r.id)), sorted(BUCKET_IDS));
    assertEquals(sorted(rows.filter((r) => r.public).map((r) => r.id)), sorted(PUBLIC_BUCKETS));
  });
  assertEquals(DESTINATION_BUCKETS.workspace, BUCKETS.workspace);
  assertEquals(TABLE_BUCKETS.user_library, BUCKETS.library);
});
