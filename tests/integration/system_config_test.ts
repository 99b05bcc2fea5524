/**
 * system_config: every key the migration or seed.sql puts there has a reader (a SQL function of
 * the migrated database, or the TypeScript settings reader and the call site that uses it), and
 * the TypeScript reader caches per process with a TTL. Touches the singleton row, so its tests
 * restore what they change (Deno runs test files one at a time).
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { withDb } from "../support/stack.ts";
import type { Sql } from "../../shared/db/client.ts";
import {
  createSettingsReader,
  readSettings,
  SETTING_DEFAULTS,
  type Settings,
} from "../../shared/db/tables/system_config.ts";

const REPO_ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** Who reads a key: SQL functions (by name), or TypeScript through the settings reader. */
type Reader =
  | { sql: string[] }
  | {
    /** The file that reads the key through shared/db/tables/system_config.ts. */
    ts: string;
    /** Set while that file does not read it yet: why, and what will. */
    pending?: string;
  };

// One entry per seeded key. A key seeded without an entry here, or an entry whose reader no
// longer mentions its key, fails the test: add the reader or remove the key from the seed.
const READERS: Record<string, Reader> = {
  starting_credits: { sql: ["handle_new_user"] },
  max_active_jobs_per_user: { sql: ["enqueue_job"] },
  default_max_attempts: { sql: ["enqueue_job"] },
  job_deadline_minutes: { sql: ["enqueue_job"] },
  idempotency_ttl_hours: { sql: ["enqueue_job", "purge_expired_records"] },
  webhook_event_retention_days: { sql: ["purge_expired_records"] },
  api_usage_log_retention_days: { sql: ["purge_expired_records"] },
  provider_failure_cooldown_seconds: { sql: ["record_model_outcome"] },
  workspace_ttl_hours: { sql: ["workspace_asset_expires_at"] },
  job_lease_seconds: { ts: "shared/jobs/dispatcher.ts" },
  chat_history_messages: { ts: "shared/chat/prepare_turn.ts" },
};

// Migrations that insert system_config keys (the first creates the row, later ones add keys a
// database lacks).
const SEEDING_MIGRATIONS = [
  "migrations/20261122000300_prompting_config.sql",
  "migrations/20261204000100_system_metrics.sql",
];

/** The integer keys of the `jsonb_build_object(...)` a file inserts into system_config. */
async function seededKeys(file: string): Promise<Record<string, number>> {
  const text = await Deno.readTextFile(`${REPO_ROOT}/${file}`);
  const start = text.indexOf("insert into public.system_config");
  assertOk(start >= 0, `${file} inserts no system_config row`);
  const statement = text.slice(start, text.indexOf(";", start));
  return Object.fromEntries(
    [...statement.matchAll(/'(\w+)',\s*(-?\d+)/g)].map((m) => [m[1], Number(m[2])]),
  );
}

async function functionSource(sql: Sql, name: string): Promise<string> {
  const [row] = await sql<{ def: string | null }[]>`
    select string_agg(pg_get_functiondef(p.oid), e'\n') as def
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.proname = ${name}`;
  assertOk(row.def, `no function public.${name}`);
  return row.def;
}

Deno.test("every key seeded in system_config has a reader", async () => {
  const migrations = await Promise.all(SEEDING_MIGRATIONS.map(seededKeys));
  const seed = await seededKeys("seed.sql");
  const seeded = [
    ...new Set([...migrations.flatMap((m) => Object.keys(m)), ...Object.keys(seed)]),
  ].sort();
  assertEquals(seeded, Object.keys(READERS).sort(), "seeded keys vs READERS");
  await withDb(async (sql) => {
    for (const [key, reader] of Object.entries(READERS)) {
      if ("sql" in reader) {
        for (const name of reader.sql) {
          assertOk((await functionSource(sql, name)).includes(`'${key}'`), `${name} reads ${key}`);
        }
        continue;
      }
      // The TypeScript reader knows the key, with the seeded value as its default.
      assertEquals(SETTING_DEFAULTS[key as keyof Settings], seed[key], `${key} code default`);
      if (!reader.pending) {
        const text = await Deno.readTextFile(`${REPO_ROOT}/${reader.ts}`);
        assertOk(text.includes(key), `${reader.ts} reads ${key}`);
      }
    }
  });
});

Deno.test("the settings reader reads system_config, caches for its TTL and shares one query", async () => {
  await withDb(async (sql) => {
    const [{ before }] = await sql<{ before: unknown }[]>`
      select config -> 'job_lease_seconds' as before from public.system_config where id = 1`;
    const setLease = (value: unknown) =>
      sql`update public.system_config
        set config = config || jsonb_build_object('job_lease_seconds', ${
        sql.json(value as never)
      }::jsonb)
        where id = 1`;
    try {
      let clock = 1_000_000;
      const reader = createSettingsReader(sql, { ttlMs: 5_000, now: () => clock });
      await setLease(77);
      const [a, b] = await Promise.all([reader.get(), reader.get()]);
      assertEquals(a.job_lease_seconds, 77);
      assertOk(a === b, "concurrent callers share one read");

      await setLease(88);
      clock += 4_999;
      assertEquals((await reader.get()).job_lease_seconds, 77, "fresh: served from the cache");
      clock += 1;
      assertEquals((await reader.get()).job_lease_seconds, 88, "after the TTL: read again");

      await setLease(86_400);
      clock += 5_000;
      assertEquals((await reader.get()).job_lease_seconds, 120, "out of range: the code default");
      const refused = await setLease("not a number").then(() => "updated", (e) => e.code);
      assertEquals(refused, "23514", "a setting that is not a number is refused when written");

      assertOk(await readSettings(sql) === await readSettings(sql), "one cache per pool");
    } finally {
      await (before === null
        ? sql`update public.system_config set config = config - 'job_lease_seconds' where id = 1`
        : setLease(before));
    }
  });
});

Deno.test("every integer setting is refused as a string when written", async () => {
  // The seeded keys and the two per-user rate limits (unseeded: their default is the code's).
  const keys = [...Object.keys(READERS), "chat_requests_per_minute", "enhance_requests_per_minute"];
  await withDb(async (sql) => {
    for (const key of keys) {
      const [row] = await sql<{ ok: boolean; number: boolean }[]>`
        select public.system_config_integers_are_numbers(jsonb_build_object(${key}::text, '5')) as ok,
          public.system_config_integers_are_numbers(jsonb_build_object(${key}::text, 5)) as number`;
      assertEquals(row, { ok: false, number: true }, key);
    }
  });
});
