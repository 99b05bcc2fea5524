/**
 * `POST /provider-webhooks/openrouter` (signed video-job callbacks) and
 * `POST /provider-webhooks/openrouter/broadcast` (OTLP cost traces, static secret header).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../shared/errors.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { parseJsonBytes, parseJsonText } from "../../shared/http/safe_json.ts";
import { securedBy } from "../../shared/http/security_schemes.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { reportFromVideoJob } from "../../shared/jobs/provider_calls.ts";
import { parseVideoJob, type VideoJob } from "../../shared/providers/openrouter_video.ts";
import { recordActualCost } from "../../shared/providers/usage_log.ts";
import {
  verifyOpenRouterCallback,
  verifyStaticSecret,
} from "../../shared/providers/webhook_signatures.ts";
import { costsFromTrace } from "./otlp_costs.ts";
import { webhookAckSchema } from "./replicate_route.ts";
import { handleDelivery } from "../../shared/jobs/deliveries.ts";
import { payloadHash, rawBody, refused, verifySender } from "./webhook_common.ts";

const callbackRoute = createRoute({
  method: "post",
  path: "/openrouter",
  summary: "OpenRouter video job callback (X-OpenRouter-Signature)",
  security: securedBy("openRouterSignature"),
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

const broadcastRoute = createRoute({
  method: "post",
  path: "/openrouter/broadcast",
  summary: "OpenRouter Broadcast traces (static secret header); fills in actual costs",
  security: securedBy("broadcastSecret"),
  responses: {
    200: {
      description: "Acknowledged",
      content: { "application/json": { schema: webhookAckSchema } },
    },
    ...errorResponses(400, 401, 503),
  },
});

/** Registers both OpenRouter routes. */
export function registerOpenRouterWebhooks(app: FunctionApp, jobs: JobDeps): void {
  app.openapi(callbackRoute, async (c) => {
    const { provider: name = "openrouter", job_id: jobId } = c.req.valid("query");
    const { row, body } = await verifySender(c, jobs, {
      name,
      adapter: "openrouter",
      verify: (secret, headers, raw, now) =>
        verifyOpenRouterCallback(secret, headers.get("x-openrouter-signature"), raw, now),
    });
    let video: VideoJob;
    try {
      video = parseVideoJob((parseJsonBytes(body) as { data?: unknown }).data);
    } catch {
      throw new AppError("BAD_REQUEST", "Payload is not a video job event");
    }
    const result = await handleDelivery(jobs, {
      provider: row,
      generationId: video.id,
      // OpenRouter's X-OpenRouter-Idempotency-Key is `<job id>-<status>` but sits outside the
      // signature: the same pair is rebuilt from the signed body, so a replay with a fresh key
      // is still the same delivery.
      deliveryId: `${video.id}-${video.status}`,
      payloadHash: await payloadHash(body),
      eventType: video.status,
      report: reportFromVideoJob(video),
      jobIdParam: jobId,
    });
    return c.json({ status: result }, 200);
  });

  app.openapi(broadcastRoute, async (c) => {
    const secret = jobs.env("OPENROUTER_BROADCAST_SECRET");
    if (!secret) {
      throw new AppError("UNAVAILABLE", "Broadcast receiver not configured", { retryAfter: 60 });
    }
    const verdict = verifyStaticSecret(secret, c.req.header("x-broadcast-secret") ?? null);
    if (!verdict.ok) throw refused();
    const text = new TextDecoder().decode(await rawBody(c));
    if (c.req.header("x-test-connection") === "true" && text.trim() === "") {
      return c.json({ status: "ok" }, 200);
    }
    // NUL, lone surrogates and deep nesting are refused here as in every other body.
    const trace = parseJsonText(text);
    // Broadcast traces describe OpenRouter generations: only OpenRouter providers' rows are touched.
    const providers = (await jobs.registry.providersWithAdapter("openrouter")).map((p) => p.id);
    let updated = 0;
    for (const cost of costsFromTrace(trace)) {
      updated += await recordActualCost(jobs.db, providers, cost.generationId, {
        costUsd: cost.costUsd,
        tokensInput: cost.tokensInput,
        tokensOutput: cost.tokensOutput,
        metadata: { source: "broadcast" },
      });
    }
    return c.json({ status: updated > 0 ? "recorded" : "ignored" }, 200);
  });
}
