/**
 * An OpenRouter API simulator: `/api/v1/chat/completions` (plain and SSE, also reachable as
 * `/v1/chat/completions` for OpenAI-compatible clients), `/api/v1/videos` jobs with signed
 * callbacks, and Broadcast OTLP traces; behaviour per request from scenario.ts.
 * Control API: `GET /_sim/health`, `/_sim/submissions`, `/_sim/generations`, `/_sim/webhooks`,
 * `POST /_sim/reset`, `POST /_sim/broadcast {generation_id, url?}`.
 */
import { type BroadcastTarget, otlpTrace } from "./broadcast.ts";
import {
  completionBody,
  completionStream,
  type Generation,
  planChat,
  textOf,
} from "./openrouter_chat.ts";
import { signOpenRouterCallback } from "./standard_webhooks.ts";
import { VideoStore } from "./openrouter_videos.ts";
import {
  FailureCounter,
  mergeScenarios,
  type Scenario,
  ScenarioError,
  scenarioFromModel,
  scenarioFromText,
} from "./scenario.ts";
import { bearer, json, readJson, type SimServer, startSimServer } from "./sim_server.ts";
import { type DeliveryAttempt, WebhookSender } from "./webhook_sender.ts";

/** Options for {@link startOpenRouterSim}. */
export interface OpenRouterSimOptions {
  /** Key callers send as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** More accepted keys (e.g. the one given to OpenAI-compatible clients). */
  extraApiKeys?: string[];
  /** Signing secret for video callbacks; unsigned when absent (as OpenRouter without one). */
  webhookSecret?: string;
  /** Broadcast destination; `always` posts a trace for every generation. */
  broadcast?: BroadcastTarget & { always?: boolean };
  defaults?: Scenario;
  /** Base latency in ms. 0 for benchmarks. @default 20 */
  latencyMs?: number;
  /** @default "127.0.0.1" */
  hostname?: string;
  /** @default 0 (a free port) */
  port?: number;
}

/** One API call that creates something, as `GET /_sim/submissions` lists it. */
export interface OpenRouterSubmission {
  kind: "chat" | "video";
  /** Generation id (chat) or job id (video); null when refused or hung. */
  id: string | null;
  at: string;
  path: string;
  model: string | null;
  body: Record<string, unknown>;
  status: number;
  scenario: Scenario;
}

/** A running OpenRouter simulator. */
export interface OpenRouterSim {
  url: string;
  /** `<url>/api/v1`: OpenRouter's base URL for the `openai` SDK. */
  baseUrl: string;
  /** `<url>/v1`: the same chat for OpenAI-compatible clients. */
  openaiBaseUrl: string;
  controlUrl: string;
  apiKey: string;
  /** The video-callback signing secret, if any. */
  webhookSecret?: string;
  submissions(): OpenRouterSubmission[];
  generations(): Generation[];
  webhookAttempts(): DeliveryAttempt[];
  /** Posts the Broadcast trace of a generation; resolves with the receiver's status. */
  broadcast(generationId: string, url?: string): Promise<number>;
  reset(): void;
  stop(): Promise<void>;
}

const error = (status: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { error: { code: status, message, metadata: {} } }, headers);

/** Starts the simulator on a free port. */
export function startOpenRouterSim(opts: OpenRouterSimOptions): OpenRouterSim {
  const keys = new Set([opts.apiKey, ...(opts.extraApiKeys ?? [])]);
  const latencyMs = opts.latencyMs ?? 20;
  const submissions: OpenRouterSubmission[] = [];
  const generations = new Map<string, Generation>();
  const failures = new FailureCounter();

  const server = startSimServer(opts, async (req, srv) => {
    const path = new URL(req.url).pathname.replace(/^\/v1\/chat\//, "/api/v1/chat/");
    if (path.startsWith("/_sim/")) return await control(req, path);
    if (!path.startsWith("/api/v1/")) return error(404, "Not Found");
    const key = bearer(req);
    if (!key || !keys.has(key)) return error(401, "No auth credentials found");
    if (path === "/api/v1/chat/completions" && req.method === "POST") {
      return await create(req, srv, "chat", path);
    }
    if (path === "/api/v1/videos" && req.method === "POST") {
      return await create(req, srv, "video", path);
    }
    const video = path.match(/^\/api\/v1\/videos\/([\w-]+)(\/content)?$/);
    if (video && req.method === "GET") {
      if (!video[2]) {
        const job = videos.get(video[1]);
        return job ? json(200, job) : error(404, "Video job not found");
      }
      const bytes = videos.content(video[1]);
      if (!bytes) return error(404, "Video content not available");
      return new Response(bytes, { headers: { "content-type": "video/mp4" } });
    }
    return error(404, "Not Found");
  });

  async function create(req: Request, srv: SimServer, kind: "chat" | "video", path: string) {
    const body = await readJson(req);
    if (!body) return error(400, "Request body must be a JSON object");
    const model = typeof body.model === "string"
      ? body.model
      : Array.isArray(body.models) && typeof body.models[0] === "string"
      ? body.models[0]
      : null;
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const lastUser = messages.filter((m) => m?.role === "user").pop()?.content;
    const prompt = kind === "video" ? String(body.prompt ?? "") : JSON.stringify(lastUser ?? "");
    let scenario: Scenario;
    try {
      scenario = mergeScenarios(
        opts.defaults,
        scenarioFromModel(model),
        scenarioFromText(kind === "video" ? prompt : textOf(lastUser)).scenario,
      );
    } catch (err) {
      if (err instanceof ScenarioError) return error(400, err.message);
      throw err;
    }
    const entry: OpenRouterSubmission = {
      kind,
      id: null,
      at: new Date().toISOString(),
      path,
      model,
      body,
      status: 0,
      scenario,
    };
    submissions.push(entry);
    if (failures.shouldFail(scenario, `${kind}|${model}|${prompt}`)) {
      if (scenario.hang) return await srv.hang(req);
      entry.status = scenario.create_status!;
      if (entry.status === 429) {
        const after = String(scenario.retry_after ?? 1);
        return error(429, "Rate limit exceeded (simulated)", { "retry-after": after });
      }
      return error(entry.status, "Provider returned error (simulated)");
    }
    const latency = scenario.latency_ms ?? latencyMs;

    if (kind === "video") {
      if (!model || typeof body.prompt !== "string") {
        entry.status = 400;
        return error(400, "model and prompt are required");
      }
      const job = videos.create(body, scenario);
      entry.id = job.id;
      entry.status = 202;
      return json(202, { id: job.id, polling_url: job.polling_url, status: job.status });
    }

    const plan = planChat(body, scenario);
    if (!plan.ok) {
      entry.status = plan.status;
      return error(plan.status, plan.message);
    }
    entry.id = plan.gen.id;
    entry.status = 200;
    const headers = { "x-generation-id": plan.gen.id };
    if (body.stream === true) {
      const stream = completionStream(plan, scenario, srv, latency, (gen) => record(gen, scenario));
      return new Response(stream, {
        headers: { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache" },
      });
    }
    if (!(await srv.sleep(latency))) return error(503, "Simulator stopping");
    plan.gen.ended_ms = Date.now();
    record(plan.gen, scenario);
    return json(200, completionBody(plan), headers);
  }

  function record(gen: Generation, scenario: Scenario) {
    generations.set(gen.id, gen);
    const knob = scenario.broadcast;
    const url = typeof knob === "object" && knob.url ? knob.url : opts.broadcast?.url;
    if (url && (knob || opts.broadcast?.always)) void sendBroadcast(gen, url);
  }

  function sendBroadcast(gen: Generation, url: string): Promise<number> {
    const before = broadcastSender.attempts.length;
    const channel = broadcastSender.channel({ retries: 2 });
    channel.emit({
      url,
      id: gen.id,
      event: "broadcast",
      body: JSON.stringify(otlpTrace(gen)),
      final: true,
    });
    return broadcastSender.drain().then(() =>
      broadcastSender.attempts.slice(before).filter((a) => a.id === gen.id).pop()?.status ?? 0
    );
  }

  async function control(req: Request, path: string): Promise<Response> {
    if (path === "/_sim/health") return json(200, { status: "ok", provider: "openrouter" });
    if (path === "/_sim/submissions") return json(200, submissions);
    if (path === "/_sim/generations") return json(200, [...generations.values()]);
    if (path === "/_sim/webhooks") {
      return json(200, [...callbackSender.attempts, ...broadcastSender.attempts]);
    }
    if (path === "/_sim/reset" && req.method === "POST") {
      sim.reset();
      return json(200, { status: "reset" });
    }
    if (path === "/_sim/broadcast" && req.method === "POST") {
      const body = await readJson(req) ?? {};
      const status = await sim.broadcast(String(body.generation_id), body.url as string);
      return json(status ? 200 : 404, { status });
    }
    return error(404, "Not Found");
  }

  const callbackSender = new WebhookSender(server, async (ev) => {
    const headers: Record<string, string> = { "x-openrouter-idempotency-key": ev.id };
    if (opts.webhookSecret) {
      const t = Math.floor(Date.now() / 1000);
      headers["x-openrouter-signature"] = await signOpenRouterCallback(
        opts.webhookSecret,
        String(t),
        new TextEncoder().encode(ev.body),
      );
    }
    return headers;
  });
  const broadcastSender = new WebhookSender(server, () =>
    Promise.resolve(
      opts.broadcast?.secret
        ? { [opts.broadcast.header ?? "X-Broadcast-Secret"]: opts.broadcast.secret }
        : {},
    ));
  const videos = new VideoStore({
    server,
    sender: callbackSender,
    apiBase: `${server.url}/api/v1`,
    latencyMs,
    onGeneration: record,
  });

  const sim: OpenRouterSim = {
    url: server.url,
    baseUrl: `${server.url}/api/v1`,
    openaiBaseUrl: `${server.url}/v1`,
    controlUrl: `${server.url}/_sim`,
    apiKey: opts.apiKey,
    webhookSecret: opts.webhookSecret,
    submissions: () => submissions,
    generations: () => [...generations.values()],
    webhookAttempts: () => [...callbackSender.attempts, ...broadcastSender.attempts],
    broadcast(generationId, url) {
      const gen = generations.get(generationId);
      const target = url ?? opts.broadcast?.url;
      return gen && target ? sendBroadcast(gen, target) : Promise.resolve(0);
    },
    reset() {
      submissions.length = 0;
      generations.clear();
      callbackSender.attempts.length = 0;
      broadcastSender.attempts.length = 0;
      failures.clear();
      videos.clear();
    },
    stop: () =>
      server.stop(async () => {
        await callbackSender.drain();
        await broadcastSender.drain();
      }),
  };
  return sim;
}
