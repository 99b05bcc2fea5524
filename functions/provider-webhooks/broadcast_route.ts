/**
 * `POST /provider-webhooks/openrouter/broadcast`: OpenRouter Broadcast's OTLP traces (a static
 * secret header, no HMAC), which fill in the actual cost of OpenRouter calls.
 */
import { createRoute } from "@hono/zod-openapi";
import { AppError } from "../../shared/errors.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { parseJsonBytes } from "../../shared/http/safe_json.ts";
import { securedBy } from "../../shared/http/security_schemes.ts";
import { asService } from "../../shared/db/scopes.ts";
import * as apiUsage from "../../shared/db/tables/api_usage_logs.ts";
import { verifyStaticSecret } from "../../shared/providers/webhook_signatures.ts";
import type { ProviderWebhooksDeps } from "./app.ts";
import { costsFromTrace } from "./otlp_costs.ts";
import { receivedBody, refused, webhookAckSchema } from "./webhook_parts.ts";

const route = createRoute({
  method: "post",
  path: "/openrouter/broadcast",
  summary: "OpenRouter Broadcast traces (static secret header); fills in actual costs",
  security: securedBy("broadcastSecret"),
  responses: {
    200: {
      description: "Acknowledged",
      content: { "application/json": { schema: webhookAckSchema } },
    },
    ...errorResponses(400, 401, 413, 503),
  },
});

/** Registers the route. */
export function registerBroadcastRoute(app: FunctionApp, deps: ProviderWebhooksDeps): void {
  const { jobs } = deps;
  app.openapi(route, async (c) => {
    const secret = deps.config.OPENROUTER_BROADCAST_SECRET;
    if (!secret) {
      throw new AppError("UNAVAILABLE", "Broadcast receiver not configured", { retryAfter: 60 });
    }
    const verdict = verifyStaticSecret(secret, c.req.header("x-broadcast-secret") ?? null);
    if (!verdict.ok) throw refused();
    const body = receivedBody(c);
    if (c.req.header("x-test-connection") === "true" && body.every((b) => b <= 0x20)) {
      return c.json({ status: "ok" }, 200);
    }
    // NUL, lone surrogates and deep nesting are refused here as in every other body.
    const trace = parseJsonBytes(body);
    // Broadcast traces describe OpenRouter generations: only OpenRouter providers' rows are touched.
    const providers = (await jobs.registry.providersWithAdapter("openrouter")).map((p) => p.id);
    let updated = 0;
    for (const cost of costsFromTrace(trace)) {
      // Service path: cost reconciliation for OpenRouter's own usage rows.
      const rows = await asService(
        jobs.db,
        (tx) =>
          apiUsage.recordActualCost(tx, providers, cost.generationId, {
            costUsd: cost.costUsd,
            tokensInput: cost.tokensInput,
            tokensOutput: cost.tokensOutput,
            metadata: { source: "broadcast" },
          }),
      );
      updated += rows.length;
    }
    return c.json({ status: updated > 0 ? "recorded" : "ignored" }, 200);
  });
}
