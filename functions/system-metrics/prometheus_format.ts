/**
 * The overview in the Prometheus text exposition format (version 0.0.4): one `# HELP` and one
 * `# TYPE` line per metric family before its samples, labels escaped, a missing figure (null)
 * left out rather than invented. Every family is a gauge: these are figures of the database at
 * the time of the scrape, not counters kept by this process.
 */
import type { Overview } from "./overview_schema.ts";

type Labels = Record<string, string | null>;
type Sample = { labels?: Labels; value: number | null };

/** The metric-name prefix. */
export const PREFIX = "genbackend_";

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelText(labels: Labels | undefined): string {
  const parts = Object.entries(labels ?? {})
    .map(([k, v]) => `${k}="${escapeLabel(v ?? "")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function family(name: string, help: string, samples: Sample[]): string[] {
  const full = PREFIX + name;
  const lines = [`# HELP ${full} ${escapeHelp(help)}`, `# TYPE ${full} gauge`];
  for (const s of samples) {
    if (s.value === null || !Number.isFinite(s.value)) continue;
    lines.push(`${full}${labelText(s.labels)} ${s.value}`);
  }
  return lines;
}

const model = (m: { model_id: string | null; model_key: string | null }) => ({
  model_id: m.model_id,
  model_key: m.model_key,
});

/** The exposition text for one overview. */
export function toPrometheus(o: Overview): string {
  const { jobs } = o;
  const lines = [
    ...family(
      "jobs",
      "Jobs by status: queued and processing now; completed, failed and cancelled in the last 24 h.",
      Object.entries(jobs.by_status).map(([status, value]) => ({ labels: { status }, value })),
    ),
    ...family(
      "jobs_queued",
      "Queued jobs per model.",
      jobs.queued_by_model.map((m) => ({ labels: model(m), value: m.queued })),
    ),
    ...family("oldest_queued_job_age_seconds", "Age of the oldest queued job.", [
      { value: jobs.oldest_queued_age_s },
    ]),
    ...family("jobs_completed_1h", "Jobs completed in the last hour.", [
      { value: jobs.completed_1h },
    ]),
    ...family("jobs_completed_24h", "Jobs completed in the last 24 hours.", [
      { value: jobs.completed_24h },
    ]),
    ...family("job_success_ratio_24h", "Completed / (completed + failed) over the last 24 h.", [
      { value: jobs.success_rate_24h },
    ]),
    ...family(
      "job_generation_milliseconds",
      "Provider run time of jobs completed in the last 24 h, per model (quantile 0.5 and 0.95).",
      jobs.generation_ms.flatMap((m) => [
        { labels: { ...model(m), quantile: "0.5" }, value: m.p50 },
        { labels: { ...model(m), quantile: "0.95" }, value: m.p95 },
      ]),
    ),
    ...family(
      "provider_requests_1h",
      "Provider API calls in the last hour.",
      o.providers.map((p) => ({ labels: { provider: p.name }, value: p.requests_1h })),
    ),
    ...family(
      "provider_error_ratio_1h",
      "Share of the last hour's provider calls that failed (no answer, status >= 400 or an error).",
      o.providers.map((p) => ({ labels: { provider: p.name }, value: p.error_rate_1h })),
    ),
    ...family(
      "provider_latency_p95_milliseconds",
      "95th percentile latency of the last hour's provider calls.",
      o.providers.map((p) => ({ labels: { provider: p.name }, value: p.p95_latency_ms })),
    ),
    ...family(
      "provider_cooldown_until_seconds",
      "Unix time the provider's last model in cooldown is tried again (absent: none).",
      o.providers.map((p) => ({
        labels: { provider: p.name },
        value: p.cooldown_until === null ? null : Date.parse(p.cooldown_until) / 1000,
      })),
    ),
    ...family(
      "provider_rate_limit_remaining",
      "Requests left in the provider's current one-minute window (absent: no limit).",
      o.providers.map((p) => ({ labels: { provider: p.name }, value: p.rate_limit_remaining })),
    ),
    ...family("credits_charged_24h", "Credits charged for jobs in the last 24 hours.", [
      { value: o.credits.charged_24h },
    ]),
    ...family("credits_refunded_24h", "Credits refunded in the last 24 hours.", [
      { value: o.credits.refunded_24h },
    ]),
    ...family("storage_bytes", "Bytes of stored outputs, per bucket.", [
      { labels: { bucket: "workspace-temp" }, value: o.storage.workspace_bytes },
      { labels: { bucket: "user-library" }, value: o.storage.library_bytes },
    ]),
    ...family("users_active_24h", "Users who started a job in the last 24 hours.", [
      { value: o.users.active_24h },
    ]),
    ...family("users_new_24h", "Users who signed up in the last 24 hours.", [
      { value: o.users.new_24h },
    ]),
    ...family(
      "queue_eta_seconds",
      "Estimated seconds until a model's queue drains (docs/metrics.md has the formula).",
      o.queues.eta.map((q) => ({ labels: model(q), value: q.eta_s })),
    ),
    ...family("metrics_generated_timestamp_seconds", "Unix time these figures were read.", [
      { value: Date.parse(o.generated_at) / 1000 },
    ]),
  ];
  return lines.join("\n") + "\n";
}
