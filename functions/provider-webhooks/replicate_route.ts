/** `POST /provider-webhooks/replicate`: Standard-Webhooks-signed prediction updates. */
import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../shared/errors.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { parseJsonBytes } from "../../shared/http/safe_json.ts";
import { securedBy } from "../../shared/http/security_schemes.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { reportFromPrediction } from "../../shared/jobs/provider_calls.ts";
import { parsePrediction, type Prediction } from "../../shared/providers/replicate_adapter.ts";
import { verifyStandardWebhook } from "../../shared/providers/webhook_signatures.ts";
import { handleDelivery } from "../../shared/jobs/deliveries.ts";
import { payloadHash, verifySender } from "./webhook_common.ts";

/** Response of every webhook route. */
export const webhookAckSchema = z.object({ status: z.string() }).openapi("WebhookAck");

const route = createRoute({
  method: "post",
  path: "/replicate",
  summary: "Replicate prediction webhook (Standard Webhooks signature)",
  security: securedBy("standardWebhooks"),
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
    const { row, body } = await verifySender(c, jobs, {
      name,
      adapter: "replicate",
      verify: (secret, headers, raw, now) => verifyStandardWebhook(secret, headers, raw, now),
    });
    let prediction: Prediction;
    try {
      prediction = parsePrediction(parseJsonBytes(body));
    } catch {
      throw new AppError("BAD_REQUEST", "Payload is not a prediction");
    }
    const result = await handleDelivery(jobs, {
      provider: row,
      generationId: prediction.id,
      // webhook-id is part of what Standard Webhooks signs.
      deliveryId: c.req.header("webhook-id")!,
      payloadHash: await payloadHash(body),
      eventType: prediction.status,
      report: reportFromPrediction(prediction),
      jobIdParam: jobId,
    });
    return c.json({ status: result }, 200);
  });
}
