/**
 * pgbench anchors: custom scripts on the bench database, same client counts as the HTTP load,
 * pinned like wrk. Prepared statements (`-M prepared`), as postgres.js uses by default.
 */
import { join } from "node:path";
import { run } from "../../scripts/lib/process.ts";

/** The pgbench that ships with the cluster's PostgreSQL. */
export const PGBENCH = "/usr/lib/postgresql/15/bin/pgbench";

let counter = 0;

/** Writes pgbench script files (one per distinct user, picked at random per transaction). */
export async function writeScripts(
  tmpDir: string,
  scripts: string[],
): Promise<string[]> {
  const paths: string[] = [];
  for (const s of scripts) {
    const path = join(tmpDir, `pgbench-${++counter}.sql`);
    await Deno.writeTextFile(path, s);
    paths.push(path);
  }
  return paths;
}

/** Result of one pgbench run. */
export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  failed: number;
}

/** Runs pgbench for `durationS` with `clients` connections. */
export async function runPgbench(opts: {
  url: string;
  scripts: string[];
  clients: number;
  durationS: number;
  cpu: number | null;
}): Promise<PgbenchResult> {
  const argv = [
    ...(opts.cpu === null ? [] : ["taskset", "-c", String(opts.cpu)]),
    PGBENCH,
    "-n",
    "-M",
    "prepared",
    "-c",
    String(opts.clients),
    "-j",
    String(Math.min(2, opts.clients)),
    "-T",
    // At least 3 s: opening 32 connections (SCRAM) takes a good part of a second here, and a
    // 1 s quick run then reported a fraction of the real rate.
    String(Math.max(3, opts.durationS)),
    ...opts.scripts.flatMap((s) => ["-f", s]),
    opts.url,
  ];
  const res = await run(argv, {
    allowFail: true,
    env: { PGCONNECT_TIMEOUT: "10" },
  });
  const tps = res.stdout.match(
    /tps = ([\d.]+) \(without initial connection time\)/,
  );
  if (res.code !== 0 || !tps) {
    throw new Error(
      `pgbench failed (${res.code}): ${res.stdout}\n${res.stderr}`,
    );
  }
  const latency = res.stdout.match(/latency average = ([\d.]+) ms/);
  const failed = res.stdout.match(/number of failed transactions: (\d+)/);
  return {
    tps: Number(tps[1]),
    latencyMs: latency ? Number(latency[1]) : NaN,
    failed: failed ? Number(failed[1]) : 0,
  };
}

/**
 * JSON as a SQL literal that pgbench leaves alone: pgbench reads `:name` as a variable, and
 * compact JSON has `"seed":1000`, so a space follows every key's colon.
 */
export function jsonLit(value: unknown): string {
  return lit(JSON.stringify(value).replace(/":/g, '": '));
}

/** SQL string literal. */
export function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
