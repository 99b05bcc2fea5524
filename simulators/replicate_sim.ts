/**
 * A Replicate API simulator: a real HTTP server speaking the subset of `/v1` the `replicate`
 * SDK uses for predictions (create by version or by model, get, cancel), with Standard
 * Webhooks-signed webhooks, real PNG/MP4 outputs and per-request behaviour (scenario.ts).
 * Control API: `GET /_sim/health`, `GET /_sim/submissions`, `GET /_sim/webhooks`,
 * `POST /_sim/reset`.
 */
import { sha256Hex } from "../shared/encoding.ts";
import { type Prediction, PredictionStore } from "./replicate_predictions.ts";
import {
  FailureCounter,
  mergeScenarios,
  type Scenario,
  ScenarioError,
  scenarioFromModel,
  scenarioFromText,
} from "./scenario.ts";
import { bearer, json, readJson, type SimServer, startSimServer } from "./sim_server.ts";
import { standardWebhookHeaders } from "./standard_webhooks.ts";
import { type DeliveryAttempt, WebhookSender } from "./webhook_sender.ts";

/** Options for {@link startReplicateSim}. */
export interface ReplicateSimOptions {
  /** The API token callers must send as `Authorization: Bearer <token>`. */
  token: string;
  /** `whsec_<base64>` that webhooks are signed with. */
  webhookSecret: string;
  /** Scenario merged under every request's own. */
  defaults?: Scenario;
  /** Base latency in ms (lifecycle = 3×). 0 for benchmarks. @default 20 */
  latencyMs?: number;
  /** @default "127.0.0.1" */
  hostname?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Host name in output file URLs (Replicate serves files from another host). @default hostname */
  outputHost?: string;
}

/** One create call, as `GET /_sim/submissions` lists it. */
export interface ReplicateSubmission {
  /** The prediction id; null when the call was refused or hung. */
  id: string | null;
  at: string;
  path: string;
  model: string | null;
  version: string | null;
  input: Record<string, unknown>;
  webhook: string | null;
  webhook_events_filter: string[] | null;
  /** The HTTP status answered (0 while hanging or when the client gave up). */
  status: number;
  scenario: Scenario;
}

/** A running Replicate simulator. */
export interface ReplicateSim {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `<url>/v1`: the SDK's `baseUrl`. */
  baseUrl: string;
  /** `<url>/_sim` */
  controlUrl: string;
  token: string;
  webhookSecret: string;
  submissions(): ReplicateSubmission[];
  webhookAttempts(): DeliveryAttempt[];
  prediction(id: string): Prediction | undefined;
  /** Clears submissions, predictions, webhook attempts and fail_first counters. */
  reset(): void;
  /** Stops timers, releases hung calls, waits for webhook sends, closes the port. */
  stop(): Promise<void>;
}

const unauthenticated = () =>
  json(401, {
    title: "Unauthenticated",
    detail: "You did not pass a valid authentication token",
    status: 401,
  });
const notFound = () => json(404, { title: "Not found", detail: "Not found.", status: 404 });
const invalid = (detail: string) =>
  json(422, { title: "Input validation failed", detail, status: 422 });

/** Starts the simulator on a free port. */
export function startReplicateSim(opts: ReplicateSimOptions): ReplicateSim {
  const submissions: ReplicateSubmission[] = [];
  const failures = new FailureCounter();

  const server = startSimServer(opts, async (req, srv) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path.startsWith("/_sim/")) return control(req, path);
    const file = path.match(/^\/files\/([a-z0-9]+)\/([\w.]+)$/);
    if (file && req.method === "GET") {
      const found = await store.file(file[1], file[2]);
      if (!found) return notFound();
      return new Response(found.bytes, { headers: { "content-type": found.type } });
    }
    if (!path.startsWith("/v1/")) return notFound();
    if (bearer(req) !== opts.token) return unauthenticated();

    const byModel = path.match(/^\/v1\/(models|deployments)\/([^/]+\/[^/]+)\/predictions$/);
    if (req.method === "POST" && (path === "/v1/predictions" || byModel)) {
      return await create(req, srv, path, byModel ? decodeURIComponent(byModel[2]) : null);
    }
    const one = path.match(/^\/v1\/predictions\/([a-z0-9]+)(\/cancel)?$/);
    if (one && req.method === "GET" && !one[2]) {
      const p = store.get(one[1]);
      return p ? json(200, p) : notFound();
    }
    if (one && req.method === "POST" && one[2]) {
      const p = store.cancel(one[1]);
      return p ? json(200, p) : notFound();
    }
    return notFound();
  });

  async function create(req: Request, srv: SimServer, path: string, model: string | null) {
    const body = await readJson(req);
    if (!body) return invalid("Request body must be a JSON object");
    const version = typeof body.version === "string" ? body.version : null;
    const input = body.input && typeof body.input === "object"
      ? body.input as Record<string, unknown>
      : null;
    if (!input) return invalid("- input: Input is required");
    if (!model && !version) return invalid("- version: Version is required");
    const webhook = typeof body.webhook === "string" ? body.webhook : null;
    if (webhook && !URL.canParse(webhook)) return invalid("- webhook: Invalid URL");
    const filter = Array.isArray(body.webhook_events_filter)
      ? body.webhook_events_filter.map(String)
      : null;
    let scenario: Scenario;
    try {
      scenario = mergeScenarios(
        opts.defaults,
        scenarioFromModel(model ?? version),
        scenarioFromText(typeof input.prompt === "string" ? input.prompt : "").scenario,
      );
    } catch (err) {
      if (err instanceof ScenarioError) return invalid(err.message);
      throw err;
    }
    const entry: ReplicateSubmission = {
      id: null,
      at: new Date().toISOString(),
      path,
      model,
      version,
      input,
      webhook,
      webhook_events_filter: filter,
      status: 0,
      scenario,
    };
    submissions.push(entry);

    const key = `${model ?? version}|${
      typeof input.prompt === "string" ? input.prompt : JSON.stringify(input)
    }`;
    if (failures.shouldFail(scenario, key)) {
      if (scenario.hang) return await srv.hang(req);
      const status = scenario.create_status!;
      entry.status = status;
      if (status === 429) {
        const after = scenario.retry_after ?? 1;
        return json(429, {
          title: "Request was throttled",
          detail: `Request was throttled. Your rate limit resets in ~${after}s.`,
          status: 429,
        }, { "retry-after": String(after) });
      }
      return json(status, { title: "Server error", detail: "Simulated server error", status });
    }

    // `owner/name:<hash>` names the model; a bare hash (or a sim: marker) does not.
    const pinned = version?.match(/^([^/:]+\/[^/:]+):([0-9a-f]{64})$/);
    const prediction = store.create({
      model: model ?? pinned?.[1] ?? "sim/unknown",
      version: model ? versionOf(model) : pinned?.[2] ?? version!,
      input,
      webhook: webhook ?? undefined,
      webhookEventsFilter: filter ?? undefined,
      scenario,
    });
    entry.id = prediction.id;
    entry.status = 201;
    const prefer = req.headers.get("prefer")?.match(/^wait(?:=(\d+))?$/);
    if (prefer) {
      const seconds = Math.min(60, Number(prefer[1] ?? 60));
      await Promise.race([store.settled(prediction.id), srv.sleep(seconds * 1000)]);
    }
    return json(201, prediction, { location: prediction.urls.get });
  }

  function control(req: Request, path: string): Response {
    if (path === "/_sim/health") return json(200, { status: "ok", provider: "replicate" });
    if (path === "/_sim/submissions") return json(200, submissions);
    if (path === "/_sim/webhooks") return json(200, sender.attempts);
    if (path === "/_sim/webhooks/pending") return json(200, { pending: sender.pending });
    if (path === "/_sim/reset" && req.method === "POST") {
      sim.reset();
      return json(200, { status: "reset" });
    }
    return notFound();
  }

  const hostname = opts.hostname ?? "127.0.0.1";
  // The handlers above only run once these exist (after the first request arrives).
  const sender = new WebhookSender(server, (ev) =>
    standardWebhookHeaders({
      secret: opts.webhookSecret,
      id: ev.id,
      timestamp: Math.floor(Date.now() / 1000),
      body: ev.body,
    }));
  const store = new PredictionStore({
    server,
    sender,
    apiBase: `${server.url}/v1`,
    filesBase: `http://${opts.outputHost ?? hostname}:${server.port}`,
    latencyMs: opts.latencyMs ?? 20,
  });

  const sim: ReplicateSim = {
    url: server.url,
    baseUrl: `${server.url}/v1`,
    controlUrl: `${server.url}/_sim`,
    token: opts.token,
    webhookSecret: opts.webhookSecret,
    submissions: () => submissions,
    webhookAttempts: () => sender.attempts,
    prediction: (id) => store.get(id),
    reset() {
      submissions.length = 0;
      sender.attempts.length = 0;
      failures.clear();
      store.clear();
    },
    stop: () => server.stop(() => sender.drain()),
  };
  return sim;
}

/** A stable 64-hex "version" for model-endpoint predictions. */
function versionOf(model: string): string {
  return sha256Hex(model);
}
