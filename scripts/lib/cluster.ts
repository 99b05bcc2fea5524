/**
 * A private PostgreSQL 15 cluster for the dev stack, the tests and the benchmarks.
 *
 * As a normal user the data folder lives under `.local/` in the checkout. As root, `initdb`
 * must run as `postgres`, which may not be able to enter the checkout, so the data folder
 * then lives in a postgres-owned folder under the system temp dir, named after the checkout.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { exists, run } from "./process.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";

/** The repository root (two levels above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A running cluster and how to reach it. */
export interface Cluster {
  /** Connection string for `postgres` (not a superuser, as on a hosted project). */
  url: string;
  /** Connection string for the superuser `supabase_admin` (bootstrap, test extensions). */
  adminUrl: string;
  port: number;
  dataDir: string;
  /** Stops the server; with `remove`, deletes the data folder too. */
  stop(opts?: { remove?: boolean }): Promise<void>;
}

/** Options for {@link startCluster}. */
export interface ClusterOptions {
  /** Folder name for this cluster's data (`dev`, `test-<pid>`, `bench-<pid>`). */
  name: string;
  port: number;
  /** Drop any existing data first. */
  fresh?: boolean;
  /** Trade durability for speed (tests and benchmarks only). */
  fast?: boolean;
  maxConnections?: number;
}

const isRoot = () => Deno.uid() === 0;

/** Where cluster data folders live for this checkout. */
export function stateRoot(): string {
  if (!isRoot()) return join(REPO_ROOT, ".local");
  let h = 0;
  for (const ch of REPO_ROOT) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return join(tmpdir(), `genbackend-${h.toString(16)}`);
}

async function asPostgres(cmd: string[], opts: { allowFail?: boolean } = {}) {
  const argv = isRoot() ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
  return await run(argv, { allowFail: opts.allowFail, cwd: "/" });
}

async function prepareFolder(path: string) {
  await Deno.mkdir(path, { recursive: true });
  if (isRoot()) await run(["chown", "postgres:postgres", path]);
}

/** Creates the cluster when missing, starts it and waits until it accepts connections. */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const root = stateRoot();
  await prepareFolder(root);
  const dataDir = join(root, opts.name);
  if (opts.fresh && await exists(dataDir)) {
    await asPostgres([`${PG_BIN}/pg_ctl`, "-D", dataDir, "-m", "immediate", "-w", "stop"], {
      allowFail: true,
    });
    await removeDir(dataDir);
  }

  if (!await exists(join(dataDir, "PG_VERSION"))) {
    await prepareFolder(dataDir);
    const pwfile = join(root, `${opts.name}.pw`);
    await Deno.writeTextFile(pwfile, "postgres\n");
    if (isRoot()) await run(["chown", "postgres:postgres", pwfile]);
    await asPostgres([
      `${PG_BIN}/initdb`,
      "-D",
      dataDir,
      "-U",
      "supabase_admin",
      `--pwfile=${pwfile}`,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
    ]);
    await Deno.remove(pwfile);
    const conf = [
      `port = ${opts.port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dataDir}'`,
      "shared_preload_libraries = 'pg_cron'",
      "cron.database_name = 'postgres'",
      `max_connections = ${opts.maxConnections ?? 200}`,
      "timezone = 'UTC'",
      "log_timezone = 'UTC'",
      "log_min_messages = warning",
      "wal_level = logical",
      ...(opts.fast ? ["fsync = off", "synchronous_commit = off", "full_page_writes = off"] : []),
    ];
    const confPath = join(dataDir, "postgresql.conf");
    const current = await Deno.readTextFile(confPath);
    await asPostgres(["sh", "-c", `cat >> '${confPath}' <<'EOF'\n${conf.join("\n")}\nEOF`]);
    if (current.length === 0) throw new Error("initdb produced an empty postgresql.conf");
  } else {
    // The port may differ between runs of the same cluster (tests pick free ports).
    await asPostgres([
      "sh",
      "-c",
      `sed -i 's/^port = .*/port = ${opts.port}/' '${join(dataDir, "postgresql.conf")}'`,
    ]);
  }

  const status = await asPostgres([`${PG_BIN}/pg_ctl`, "-D", dataDir, "status"], {
    allowFail: true,
  });
  if (status.code !== 0) {
    await asPostgres([
      `${PG_BIN}/pg_ctl`,
      "-D",
      dataDir,
      "-l",
      join(dataDir, "server.log"),
      "-w",
      "-t",
      "60",
      "start",
    ]);
  }

  const url = `postgresql://postgres:postgres@127.0.0.1:${opts.port}/postgres`;
  const adminUrl = `postgresql://supabase_admin:postgres@127.0.0.1:${opts.port}/postgres`;
  return {
    url,
    adminUrl,
    port: opts.port,
    dataDir,
    async stop(stopOpts = {}) {
      await asPostgres([`${PG_BIN}/pg_ctl`, "-D", dataDir, "-m", "fast", "-w", "stop"], {
        allowFail: true,
      });
      if (stopOpts.remove) await removeDir(dataDir);
    },
  };
}

async function removeDir(path: string) {
  await Deno.remove(path, { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}

/** Asks the OS for a free TCP port on loopback. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
