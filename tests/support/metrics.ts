/**
 * Fixtures for the system-metrics tests: rows with exact timestamps relative to the database's
 * clock, for uniquely named models and a provider of the test's own, so per-model and
 * per-provider figures can be computed by hand and global ones asserted as deltas. Queued and
 * processing fixture jobs are not due for a year, so no dispatcher run ever picks them up.
 */
import type { Sql } from "../../shared/db/client.ts";
import { stack } from "./stack.ts";

/** A job to insert; times are seconds before the database's `now()` at insert. */
export interface FixtureJob {
  userId: string;
  modelId: string;
  status: "queued" | "processing" | "completed" | "failed" | "cancelled";
  /** Seconds ago the job was created (default: an hour before it finished, or now). */
  createdAgoS?: number;
  startedAgoS?: number;
  completedAgoS?: number;
  /** An exact finish time instead (ISO), for fixed days. */
  completedAt?: string;
  startedAt?: string;
  qualityRating?: number;
}

/** Inserts jobs; returns their ids in order. */
export async function insertJobs(sql: Sql, jobs: FixtureJob[]): Promise<string[]> {
  const ids: string[] = [];
  for (const j of jobs) {
    const ago = (s: number | undefined) => (s === undefined ? null : `${s} seconds`);
    const [row] = await sql<{ id: string }[]>`
      insert into public.jobs (user_id, api_model_id, modality, prompt, status, created_at,
        started_at, completed_at, quality_rating, next_attempt_at, deadline_at)
      values (${j.userId}, ${j.modelId}, 'image', 'metrics fixture', ${j.status},
        coalesce(now() - ${ago(j.createdAgoS)}::interval,
          ${j.completedAt ?? null}::timestamptz - interval '1 hour',
          now() - ${ago(j.completedAgoS)}::interval - interval '1 hour', now()),
        coalesce(${j.startedAt ?? null}::timestamptz, now() - ${ago(j.startedAgoS)}::interval),
        coalesce(${j.completedAt ?? null}::timestamptz, now() - ${ago(j.completedAgoS)}::interval),
        ${j.qualityRating ?? null}, now() + interval '1 year', now() + interval '1 year')
      returning id`;
    ids.push(row.id);
  }
  return ids;
}

/** One provider call; seconds before now. */
export interface FixtureCall {
  providerId: string;
  modelId: string;
  agoS: number;
  status: number | null;
  latencyMs: number;
  error?: string;
}

/** Inserts provider call rows. */
export async function insertCalls(sql: Sql, calls: FixtureCall[]): Promise<void> {
  for (const c of calls) {
    await sql`insert into public.api_usage_logs (provider_id, model_id, request_type, response_status,
        response_time_ms, error_message, created_at)
      values (${c.providerId}, ${c.modelId}, 'image', ${c.status}, ${c.latencyMs}, ${
      c.error ?? null
    }, now() - ${`${c.agoS} seconds`}::interval)`;
  }
}

/** Inserts a ledger row (charge: positive credits; refund: negative). */
export async function insertLedger(
  sql: Sql,
  userId: string,
  kind: "charge" | "refund",
  credits: number,
  agoS: number,
): Promise<void> {
  await sql`insert into public.usage_logs (user_id, kind, action, credits_consumed, created_at)
    values (${userId}, ${kind}, 'metrics fixture', ${credits}, now() - ${`${agoS} seconds`}::interval)`;
}

/** A stored output in the workspace and one in the library, of the given sizes. */
export async function insertAssets(
  sql: Sql,
  userId: string,
  workspaceBytes: number,
  libraryBytes: number,
): Promise<void> {
  await sql`insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes,
      mime_type, original_prompt, model_used)
    values (${userId}, 'image', ${`${userId}/metrics/0.png`}, ${workspaceBytes}, 'image/png', 'p', 'm')`;
  await sql`insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes,
      mime_type, original_prompt, model_used)
    values (${userId}, 'image', ${`${userId}/metrics.png`}, ${libraryBytes}, 'image/png', 'p', 'm')`;
}

/** A small Prometheus text-format parser that throws on the first malformed line. */
export function parsePrometheus(text: string) {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$/;
  const help = new Set<string>();
  const types = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
    if (meta) {
      if (!name.test(meta[2])) throw new Error(`bad metric name: ${line}`);
      if (samples.some((s) => s.name === meta[2])) {
        throw new Error(`${meta[1]} after samples: ${line}`);
      }
      if (meta[1] === "HELP") help.add(meta[2]);
      else if (["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3])) {
        types.set(meta[2], meta[3]);
      } else throw new Error(`bad type: ${line}`);
      continue;
    }
    const m = sample.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    if (!help.has(m[1]) || !types.has(m[1])) throw new Error(`sample before HELP/TYPE: ${line}`);
    const labels: Record<string, string> = {};
    for (
      const l of (m[2] ?? "").slice(1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)
    ) {
      labels[l[1]] = l[2].replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    }
    const value = Number(m[3].replace("Inf", "Infinity"));
    if (Number.isNaN(value) && m[3] !== "NaN") throw new Error(`bad value: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { help, types, samples };
}

/** `GET /system-metrics/prometheus` through the gateway with `token` as the bearer, if any. */
export async function scrape(token: string | null) {
  const res = await fetch(`${stack.gatewayUrl}/functions/v1/system-metrics/prometheus`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}
