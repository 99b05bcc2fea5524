/**
 * The Replicate simulator's predictions: the lifecycle starting → processing → terminal on
 * timers, webhooks per event, and the PNG/MP4 files their outputs point at.
 */
import { pngBytes } from "./media/images.ts";
import { mp4Bytes } from "./media/mp4.ts";
import type { Scenario } from "./scenario.ts";
import { randomId, type SimServer } from "./sim_server.ts";
import type { WebhookChannel, WebhookSender } from "./webhook_sender.ts";

/** A prediction as Replicate's API returns it. */
export interface Prediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  logs: string;
  output: unknown;
  data_removed: boolean;
  error: string | null;
  status: "starting" | "processing" | "succeeded" | "failed" | "canceled" | "aborted";
  created_at: string;
  started_at?: string;
  completed_at?: string;
  urls: { get: string; cancel: string; web: string };
  metrics: { predict_time?: number; total_time?: number };
  webhook?: string;
  webhook_events_filter?: string[];
}

/** What {@link PredictionStore.create} needs. */
export interface NewPrediction {
  model: string;
  version: string;
  input: Record<string, unknown>;
  webhook?: string;
  webhookEventsFilter?: string[];
  scenario: Scenario;
}

interface Entry {
  json: Prediction;
  outcome: string;
  media: "image" | "video";
  width: number;
  height: number;
  duration: number;
  channel?: WebhookChannel;
  filter: Set<string>;
  done: Promise<void>;
  finish: () => void;
}

const TERMINAL = new Set(["succeeded", "failed", "canceled", "aborted"]);
const ALL_EVENTS = ["start", "output", "logs", "completed"];

/** In-memory predictions of one simulator. */
export class PredictionStore {
  #entries = new Map<string, Entry>();
  #files = new Map<string, Promise<Uint8Array>>();

  constructor(
    private deps: {
      server: SimServer;
      sender: WebhookSender;
      /** `http://host:port/v1` for `urls`. */
      apiBase: string;
      /** `http://outputhost:port` for output files. */
      filesBase: string;
      latencyMs: number;
    },
  ) {}

  /** Creates a prediction and schedules its lifecycle. */
  create(req: NewPrediction): Prediction {
    const { scenario, input } = req;
    const id = randomId();
    const { apiBase } = this.deps;
    const json: Prediction = {
      id,
      model: req.model,
      version: req.version,
      input,
      logs: "",
      output: null,
      data_removed: false,
      error: null,
      status: "starting",
      created_at: new Date().toISOString(),
      urls: {
        get: `${apiBase}/predictions/${id}`,
        cancel: `${apiBase}/predictions/${id}/cancel`,
        web: `https://replicate.com/p/${id}`,
      },
      metrics: {},
      ...(req.webhook ? { webhook: req.webhook } : {}),
      ...(req.webhookEventsFilter ? { webhook_events_filter: req.webhookEventsFilter } : {}),
    };
    const isVideo = scenario.media
      ? scenario.media === "video"
      : /video/i.test(`${req.model} ${req.version}`) || input.duration !== undefined;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const entry: Entry = {
      json,
      outcome: scenario.outcome ?? "succeeded",
      media: isVideo ? "video" : "image",
      width: clampSize(scenario.width ?? input.width, isVideo ? 1280 : 1024),
      height: clampSize(scenario.height ?? input.height, isVideo ? 720 : 1024),
      duration: Number(scenario.duration ?? input.duration ?? 5) || 5,
      channel: req.webhook ? this.deps.sender.channel(scenario.webhook) : undefined,
      filter: new Set(req.webhookEventsFilter ?? ALL_EVENTS),
      done,
      finish,
    };
    this.#entries.set(id, entry);
    this.#emit(entry, "start");

    const latency = scenario.latency_ms ?? this.deps.latencyMs;
    const total = scenario.delay_ms ?? latency * 3;
    const { server } = this.deps;
    if (entry.outcome === "aborted") {
      server.later(total, () => this.#finish(entry, "aborted", scenario));
      return json;
    }
    server.later(total / 3, () => {
      if (TERMINAL.has(json.status)) return;
      json.status = "processing";
      json.started_at = new Date().toISOString();
      json.logs = `Using seed: ${Number(input.seed ?? 42)}\n`;
      this.#emit(entry, "logs");
    });
    server.later((total * 2) / 3, () => {
      if (TERMINAL.has(json.status) || entry.outcome !== "succeeded") return;
      json.output = this.#output(entry, scenario);
      json.logs += "Generating outputs\n";
      this.#emit(entry, "output");
    });
    server.later(total, () => this.#finish(entry, entry.outcome, scenario));
    return json;
  }

  /** The prediction, or undefined. */
  get(id: string): Prediction | undefined {
    return this.#entries.get(id)?.json;
  }

  /** Resolves when the prediction is terminal (for `Prefer: wait`). */
  settled(id: string): Promise<void> | undefined {
    return this.#entries.get(id)?.done;
  }

  /** Cancels a running prediction; terminal ones are returned unchanged. */
  cancel(id: string): Prediction | undefined {
    const entry = this.#entries.get(id);
    if (entry && !TERMINAL.has(entry.json.status)) this.#finish(entry, "canceled", {});
    return entry?.json;
  }

  /** Bytes of an output file (`<i>.png` or `output.mp4`), or undefined. */
  async file(id: string, name: string): Promise<{ bytes: Uint8Array; type: string } | undefined> {
    const entry = this.#entries.get(id);
    if (!entry || entry.json.status !== "succeeded") return undefined;
    const { width: w, height: h, duration } = entry;
    if (entry.media === "video" && name === "output.mp4") {
      return {
        bytes: mp4Bytes({ width: w, height: h, durationSeconds: duration }),
        type: "video/mp4",
      };
    }
    if (entry.media === "image" && /^\d+\.png$/.test(name)) {
      const key = `${w}x${h}`;
      // Cached per size: a 1024x1024 PNG costs a few ms of deflate, outputs are re-fetched.
      if (!this.#files.has(key)) this.#files.set(key, pngBytes(w, h));
      return { bytes: await this.#files.get(key)!, type: "image/png" };
    }
    return undefined;
  }

  /** Forgets every prediction. */
  clear(): void {
    for (const entry of this.#entries.values()) entry.finish();
    this.#entries.clear();
  }

  #output(entry: Entry, scenario: Scenario): unknown {
    const base = `${this.deps.filesBase}/files/${entry.json.id}`;
    if (entry.media === "video") {
      const url = `${base}/output.mp4`;
      if (scenario.output_shape === "array") return [url];
      if (scenario.output_shape === "object") return { video: url };
      return url;
    }
    const n = Math.max(
      1,
      Math.min(10, Number(scenario.outputs ?? entry.json.input.num_outputs ?? 1)),
    );
    const urls = Array.from({ length: n }, (_, i) => `${base}/${i}.png`);
    if (scenario.output_shape === "string") return urls[0];
    if (scenario.output_shape === "object") return { images: urls };
    return urls;
  }

  #finish(entry: Entry, status: string, scenario: Scenario): void {
    const { json } = entry;
    if (TERMINAL.has(json.status)) return;
    json.status = status as Prediction["status"];
    json.completed_at = new Date().toISOString();
    if (status === "succeeded" && json.output === null) json.output = this.#output(entry, scenario);
    if (status === "failed") json.error = scenario.error ?? "Prediction failed (simulated)";
    if (status === "canceled") json.output = null;
    const started = json.started_at ? Date.parse(json.started_at) : undefined;
    const end = Date.parse(json.completed_at);
    json.metrics = {
      ...(started !== undefined ? { predict_time: (end - started) / 1000 } : {}),
      total_time: (end - Date.parse(json.created_at)) / 1000,
    };
    if (status === "succeeded") json.logs += "Done\n";
    // Replicate always sends `completed`, whatever the filter says.
    this.#emit(entry, "completed", true);
    entry.finish();
  }

  #emit(entry: Entry, event: string, final = false): void {
    if (!entry.channel || !entry.json.webhook) return;
    if (!final && !entry.filter.has(event)) return;
    entry.channel.emit({
      url: entry.json.webhook,
      id: `msg_${entry.json.id}_${event}`,
      event,
      body: JSON.stringify(entry.json),
      final,
    });
  }
}

function clampSize(value: unknown, fallback: number): number {
  const n = Math.round(Number(value));
  return Number.isFinite(n) && n >= 1 ? Math.min(n, 4096) : fallback;
}
