/**
 * OpenRouter video jobs for the simulator: pending → in_progress → completed | failed |
 * cancelled | expired on timers, MP4 content, and the signed `callback_url` delivery
 * (`video.generation.<status>` envelope, `X-OpenRouter-Idempotency-Key: <id>-<status>`).
 */
import type { Generation } from "./openrouter_chat.ts";
import { mp4Bytes } from "./media/mp4.ts";
import { type Scenario, scenarioFromText } from "./scenario.ts";
import { randomId, type SimServer } from "./sim_server.ts";
import type { WebhookSender } from "./webhook_sender.ts";

/** A job as `GET /api/v1/videos/{id}` returns it. */
export interface VideoJob {
  id: string;
  polling_url: string;
  status: "pending" | "in_progress" | "completed" | "failed" | "cancelled" | "expired";
  model: string;
  created_at: string;
  generation_id?: string;
  unsigned_urls?: string[];
  usage?: { cost: number; is_byok: boolean };
  error?: string;
}

interface Entry {
  job: VideoJob;
  width: number;
  height: number;
  duration: number;
}

const TERMINAL = new Set(["completed", "failed", "cancelled", "expired"]);
const SIZES: Record<string, [number, number]> = {
  "480p": [854, 480],
  "720p": [1280, 720],
  "1080p": [1920, 1080],
};

/** The video jobs of one simulator. */
export class VideoStore {
  #jobs = new Map<string, Entry>();

  constructor(
    private deps: {
      server: SimServer;
      sender: WebhookSender;
      /** `http://host:port/api/v1` */
      apiBase: string;
      latencyMs: number;
      onGeneration: (gen: Generation, scenario: Scenario) => void;
    },
  ) {}

  /** Creates a job from a `POST /videos` body and schedules it. */
  create(body: Record<string, unknown>, scenario: Scenario): VideoJob {
    const id = `job-${randomId(20)}`;
    const [w, h] = SIZES[String(body.resolution ?? "720p")] ?? SIZES["720p"];
    const portrait = typeof body.aspect_ratio === "string" &&
      /^(\d+):(\d+)$/.test(body.aspect_ratio) &&
      Number(body.aspect_ratio.split(":")[0]) < Number(body.aspect_ratio.split(":")[1]);
    const entry: Entry = {
      job: {
        id,
        polling_url: `/api/v1/videos/${id}`,
        status: "pending",
        model: String(body.model),
        created_at: new Date().toISOString(),
      },
      width: Number(scenario.width) || (portrait ? h : w),
      height: Number(scenario.height) || (portrait ? w : h),
      duration: Number(scenario.duration ?? body.duration ?? 5) || 5,
    };
    this.#jobs.set(id, entry);
    const latency = scenario.latency_ms ?? this.deps.latencyMs;
    const total = scenario.delay_ms ?? latency * 3;
    const callback = typeof body.callback_url === "string" ? body.callback_url : undefined;
    const channel = callback ? this.deps.sender.channel(scenario.webhook) : undefined;
    const started = Date.now();
    this.deps.server.later(total / 3, () => {
      if (entry.job.status === "pending") entry.job.status = "in_progress";
    });
    this.deps.server.later(total, () => {
      const { job } = entry;
      if (TERMINAL.has(job.status)) return;
      job.status = (scenario.outcome as VideoJob["status"]) ?? "completed";
      job.generation_id = `gen-${Math.floor(Date.now() / 1000)}-${randomId(20)}`;
      const cost = scenario.cost ?? Number((entry.duration * 0.05).toFixed(6));
      if (job.status === "completed") {
        job.unsigned_urls = [`${this.deps.apiBase}/videos/${id}/content?index=0`];
        job.usage = { cost, is_byok: false };
      } else {
        job.error = scenario.error ?? `Video generation ${job.status} (simulated)`;
      }
      this.deps.onGeneration({
        id: job.generation_id,
        kind: "video",
        request_model: job.model,
        model: job.model,
        provider: "SimProvider",
        prompt_tokens: scenarioFromText(String(body.prompt ?? "")).text.split(/\s+/).length,
        completion_tokens: 0,
        cost: job.usage?.cost ?? 0,
        finish_reason: job.status,
        streamed: false,
        started_ms: started,
        ended_ms: Date.now(),
        error: job.error,
      }, scenario);
      if (!channel || !callback) return;
      const envelope = {
        type: `video.generation.${job.status}`,
        created_at: new Date().toISOString(),
        data: {
          id,
          status: job.status,
          generation_id: job.generation_id,
          model: job.model,
          unsigned_urls: job.unsigned_urls ?? [],
          usage: job.usage ?? { cost: 0, is_byok: false },
          ...(job.error ? { error: job.error } : {}),
        },
      };
      channel.emit({
        url: callback,
        id: `${id}-${job.status}`,
        event: envelope.type,
        body: JSON.stringify(envelope),
        final: true,
      });
    });
    return entry.job;
  }

  /** The job, or undefined. */
  get(id: string): VideoJob | undefined {
    return this.#jobs.get(id)?.job;
  }

  /** MP4 bytes of a completed job. */
  content(id: string): Uint8Array | undefined {
    const entry = this.#jobs.get(id);
    if (!entry || entry.job.status !== "completed") return undefined;
    return mp4Bytes({
      width: entry.width,
      height: entry.height,
      durationSeconds: entry.duration,
    });
  }

  clear(): void {
    this.#jobs.clear();
  }
}
