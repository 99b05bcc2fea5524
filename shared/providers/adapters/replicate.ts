/**
 * The Replicate adapter: image and video generation through the official SDK pointed at the
 * provider row's base URL (create a prediction by version, or by model endpoint for official
 * models, with our webhook; get; cancel; every output kept), and its Standard Webhooks callbacks.
 */
import type Replicate from "replicate";
import { lazy } from "../../lazy.ts";
import { z } from "zod";
import type { ProviderAdapter } from "../adapter.ts";
import { classifySdkError, providerFetch } from "../http_client.ts";
import { ProviderError } from "../provider_error.ts";
import type { ProviderEndpoint } from "../provider_config.ts";
import type { ModelRow } from "../registry.ts";
import type { ProviderReport } from "../report.ts";
import { verifyStandardWebhook } from "../webhook_signatures.ts";

/** Replicate's prediction statuses; `aborted` is a deadline hit before the run started. */
export const PREDICTION_STATUSES = [
  "starting",
  "processing",
  "succeeded",
  "failed",
  "canceled",
  "aborted",
] as const;

const predictionSchema = z.object({
  id: z.string().min(1),
  status: z.enum(PREDICTION_STATUSES),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  metrics: z.object({ predict_time: z.number().optional() }).loose().optional(),
  model: z.string().optional(),
  version: z.string().nullable().optional(),
}).loose();

/** A prediction as our code uses it. */
export interface Prediction {
  id: string;
  status: typeof PREDICTION_STATUSES[number];
  /** Every output URL (or data: URI), in order. */
  outputs: string[];
  error: string | null;
  predictTimeSeconds?: number;
}

/** Collects every output location from Replicate's free-form `output`. */
export function normalizeOutputs(output: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 4 || value == null) return;
    if (typeof value === "string") {
      if (/^(https?:\/\/|data:)/i.test(value)) found.push(value);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, depth + 1);
    } else if (typeof value === "object") {
      for (const v of Object.values(value)) visit(v, depth + 1);
    }
  };
  visit(output, 0);
  return found;
}

/** Parses a prediction body (API response or webhook payload). */
export function parsePrediction(raw: unknown): Prediction {
  const p = predictionSchema.parse(raw);
  const error = p.error == null
    ? null
    : typeof p.error === "string"
    ? p.error
    : JSON.stringify(p.error);
  return {
    id: p.id,
    status: p.status,
    outputs: normalizeOutputs(p.output),
    error,
    predictTimeSeconds: p.metrics?.predict_time,
  };
}

/** Replicate's statuses in our terms (`canceled` and `aborted` are our cancelled). */
export function reportFromPrediction(p: Prediction): ProviderReport {
  const state = p.status === "succeeded"
    ? "succeeded"
    : p.status === "failed"
    ? "failed"
    : p.status === "canceled" || p.status === "aborted"
    ? "cancelled"
    : "running";
  return {
    state,
    outputs: p.outputs,
    error: p.error,
    usage: p.predictTimeSeconds ? { facts: { predict_time: p.predictTimeSeconds } } : undefined,
  };
}

/** What {@link ReplicateClient.create} takes. */
export interface CreatePredictionInput {
  model: Pick<ModelRow, "model_key" | "version">;
  input: Record<string, unknown>;
  webhookUrl?: string;
}

/** Replicate's prediction API. */
export interface ReplicateClient {
  create(req: CreatePredictionInput): Promise<Prediction>;
  get(id: string): Promise<Prediction>;
  cancel(id: string): Promise<Prediction>;
}

/** Builds the client for a resolved Replicate provider. */
export function createReplicateClient(
  ep: ProviderEndpoint,
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): ReplicateClient {
  const name = ep.row.name;
  const client = lazy(async () => {
    const { default: Replicate } = await import("replicate");
    return new Replicate({
      auth: ep.apiKey,
      baseUrl: ep.baseUrl,
      useFileOutput: false,
      fetch: providerFetch({
        provider: name,
        headers: ep.row.auth_scheme === "bearer" ? {} : ep.authHeaders,
        timeoutMs: opts.timeoutMs ?? 15_000,
        fetch: opts.fetch,
      }),
    });
  });
  const call = async (fn: () => Promise<unknown>): Promise<Prediction> => {
    let raw: unknown;
    try {
      raw = await fn();
    } catch (err) {
      throw classifySdkError(name, err);
    }
    try {
      return parsePrediction(raw);
    } catch (err) {
      throw new ProviderError(
        name,
        "invalid_response",
        "Provider returned an unexpected prediction",
        { cause: err },
      );
    }
  };
  return {
    create: (req) =>
      call(async () =>
        (await client()).predictions.create(
          {
            ...(req.model.version
              ? { version: req.model.version }
              : { model: req.model.model_key }),
            input: req.input,
            ...(req.webhookUrl
              ? { webhook: req.webhookUrl, webhook_events_filter: ["start", "completed"] }
              : {}),
          } as Parameters<Replicate["predictions"]["create"]>[0],
        )
      ),
    get: (id) => call(async () => (await client()).predictions.get(id)),
    cancel: (id) => call(async () => (await client()).predictions.cancel(id)),
  };
}

/** Replicate: generation and Standard Webhooks callbacks (`webhook-id` is signed). */
export const replicateAdapter: ProviderAdapter = {
  generates: ["image", "video"],
  generation: (ep) => {
    const client = createReplicateClient(ep);
    return {
      submit: async ({ model, input, webhookUrl }) => {
        const p = await client.create({ model, input, webhookUrl });
        return { predictionId: p.id, report: reportFromPrediction(p) };
      },
      get: async (id) => reportFromPrediction(await client.get(id)),
      cancel: async (id) => {
        await client.cancel(id);
      },
    };
  },
  callbacks: {
    verify: verifyStandardWebhook,
    parse: (headers, json) => {
      const prediction = parsePrediction(json);
      return {
        predictionId: prediction.id,
        // Part of what Standard Webhooks signs, identical on redelivery.
        deliveryId: headers.get("webhook-id")!,
        eventType: prediction.status,
        report: reportFromPrediction(prediction),
      };
    },
  },
};
