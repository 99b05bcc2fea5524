/**
 * Brings a database to the project's schema: the Supabase bootstrap where it is missing, the
 * migrations through the real Supabase CLI (`db push`), then optionally `seed.sql`.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { REPO_ROOT } from "./cluster.ts";
import { run } from "./process.ts";

const PSQL = "/usr/lib/postgresql/15/bin/psql";
/** The Supabase CLI installed by npm. */
export const SUPABASE_CLI = join(REPO_ROOT, "node_modules/.bin/supabase");

/** Runs a SQL file (or inline SQL) with psql, stopping at the first error. */
export async function psql(
  url: string,
  sql: { file: string } | { command: string },
  opts: { quiet?: boolean } = {},
): Promise<string> {
  const args = [PSQL, url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At"];
  if ("file" in sql) args.push("-f", sql.file);
  else args.push("-c", sql.command);
  const res = await run(args, { env: { PGCONNECT_TIMEOUT: "10" } });
  if (!opts.quiet && res.stderr.trim()) console.error(res.stderr.trim());
  return res.stdout.trim();
}

/** True when the database already has what a Supabase project has (an `auth` schema). */
export async function hasSupabaseBootstrap(url: string): Promise<boolean> {
  const out = await psql(url, {
    command: "select exists (select from pg_namespace where nspname = 'auth')",
  });
  return out === "t";
}

/** Options for {@link prepareDatabase}. */
export interface PrepareOptions {
  /** Connection string for `postgres`: migrations and seed run as it, as on a hosted project. */
  url: string;
  /** Superuser connection, needed only when the bootstrap must be applied. */
  adminUrl?: string;
  seed?: boolean;
  /** Extra extensions to create as superuser (pgtap, plpgsql_check for the tests). */
  testExtensions?: boolean;
  log?: (line: string) => void;
}

const BOOTSTRAP = join(REPO_ROOT, "supabase/local/bootstrap.sql");
/** Written on the storage schema after the bootstrap, with the file's hash. */
const BOOTSTRAP_MARK = "local bootstrap sha256:";

async function bootstrapHash(): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(BOOTSTRAP)).digest("hex");
}

/**
 * Whether one of our private clusters (only those come with a superuser URL) was bootstrapped
 * from the current file; one bootstrapped before the mark existed has none.
 */
async function bootstrapIsCurrent(adminUrl: string): Promise<boolean> {
  const mark = await psql(adminUrl, {
    command: "select coalesce(obj_description('storage'::regnamespace, 'pg_namespace'), '')",
  });
  return mark === BOOTSTRAP_MARK + await bootstrapHash();
}

/** Applies bootstrap (when missing), migrations and seed. */
export async function prepareDatabase(opts: PrepareOptions): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  // Before the bootstrap the `postgres` role may not exist yet, so ask as the superuser.
  if (!await hasSupabaseBootstrap(opts.adminUrl ?? opts.url)) {
    if (!opts.adminUrl) {
      throw new Error("Database lacks the Supabase bootstrap and no superuser URL was given");
    }
    log("db: applying Supabase bootstrap (roles, auth, storage, extensions)");
    await psql(opts.adminUrl, { file: BOOTSTRAP }, { quiet: true });
    await psql(opts.adminUrl, {
      command: `comment on schema storage is '${BOOTSTRAP_MARK}${await bootstrapHash()}'`,
    }, { quiet: true });
  } else if (opts.adminUrl && !await bootstrapIsCurrent(opts.adminUrl)) {
    // A private cluster made from an older bootstrap.sql: its auth and storage schemas miss
    // what the current one creates (the Storage simulator reads those columns). Recreating it
    // loses its data, so that is the developer's call.
    log(
      "db: WARNING this cluster was bootstrapped from an older supabase/local/bootstrap.sql; " +
        "its auth and storage schemas may lack what the simulators read. " +
        "Run `npm run dev -- --reset` to recreate it (its data is lost).",
    );
  }
  if (opts.testExtensions && opts.adminUrl) {
    await psql(opts.adminUrl, {
      command: "create extension if not exists pgtap with schema extensions; " +
        "create extension if not exists plpgsql_check with schema extensions;",
    }, { quiet: true });
  }
  log("db: applying migrations with `supabase db push`");
  await pushMigrations(opts.url);
  if (opts.seed) {
    log("db: loading seed.sql");
    await psql(opts.url, { file: join(REPO_ROOT, "seed.sql") }, { quiet: true });
  }
}

/** Applies pending migrations with the Supabase CLI. */
export async function pushMigrations(url: string): Promise<void> {
  await run([SUPABASE_CLI, "db", "push", `--remote=${url}`, "--yes", "--include-all"], {
    cwd: REPO_ROOT,
    env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
  });
}
