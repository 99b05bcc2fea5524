/** `POST /provider-webhooks/replicate`: Standard-Webhooks-signed prediction updates. */
import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../shared/errors.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { applyReport } from "../../shared/jobs/outcome.ts";
import { reportFromPrediction } from "../../shared/jobs/provider_calls.ts";
import { parsePrediction, type Prediction } from "../../shared/providers/replicate_adapter.ts";
import { recordActualCost } from "../../shared/providers/usage_log.ts";
import { verifyStandardWebhook } from "../../shared/providers/webhook_signatures.ts";
import {
  alreadyDelivered,
  jobForDelivery,
  payloadHash,
  rawBody,
  refused,
} from "./webhook_common.ts";

/** Response of every webhook route. */
export const webhookAckSchema = z.object({ status: z.string() }).openapi("WebhookAck");

const route = createRoute({
  method: "post",
  path: "/replicate",
  summary: "Replicate prediction webhook (Standard Webhooks signature)",
  request: {
    query: z.object({
      provider: z.string().max(64).optional(),
      job_id: z.string().max(64).optional(),
    }),
  },
  responses: {
    200: {
      description: "Acknowledged",
      content: { "application/json": { schema: webhookAckSchema } },
    },
    ...errorResponses(400, 401, 503),
  },
});

/** Registers the Replicate webhook. */
export function registerReplicateWebhook(app: FunctionApp, jobs: JobDeps): void {
  app.openapi(route, async (c) => {
    const { provider: name = "replicate", job_id: jobId } = c.req.valid("query");
    const body = await rawBody(c);
    const row = await jobs.registry.providerByName(name);
    if (!row || row.adapter !== "replicate") throw refused();
    const secret = jobs.env(row.webhook_secret_name ?? "REPLICATE_WEBHOOK_SECRET");
    if (!secret) {
      jobs.log.error("webhook secret missing", { provider: name });
      throw new AppError("UNAVAILABLE", "Webhook receiver not configured", { retryAfter: 60 });
    }
    const verdict = await verifyStandardWebhook(
      secret,
      c.req.raw.headers,
      body,
      Math.floor(jobs.now().getTime() / 1000),
    );
    if (!verdict.ok) {
      jobs.log.warn("webhook refused", { provider: name, reason: verdict.reason });
      throw refused();
    }
    let prediction: Prediction;
    try {
      prediction = parsePrediction(JSON.parse(new TextDecoder().decode(body)));
    } catch {
      throw new AppError("BAD_REQUEST", "Payload is not a prediction");
    }
    const deliveryId = c.req.header("webhook-id")!;
    const job = await jobForDelivery(jobs, prediction.id, jobId);
    if (!job) return c.json({ status: "ignored" }, 200);
    if (await alreadyDelivered(jobs, row.name, deliveryId)) {
      return c.json({ status: "duplicate" }, 200);
    }
    const model = job.api_model_id ? await jobs.registry.modelById(job.api_model_id) : undefined;
    const result = await applyReport(jobs, job, reportFromPrediction(prediction), {
      delivery: {
        provider: row.name,
        deliveryId,
        payloadHash: await payloadHash(body),
        eventType: prediction.status,
      },
      allowedHosts: jobs.registry.endpoint(row)?.allowedOutputHosts ?? row.allowed_output_hosts,
      modelUsed: model?.model.model_key ?? "unknown",
    });
    if (prediction.predictTimeSeconds !== undefined && result !== "duplicate") {
      await recordActualCost(jobs.db, prediction.id, {
        metadata: { predict_time: prediction.predictTimeSeconds, status: prediction.status },
      });
    }
    return c.json({ status: result }, 200);
  });
}
