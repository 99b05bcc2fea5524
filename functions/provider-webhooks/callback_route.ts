/**
 * `POST /provider-webhooks/:provider`: one route for every provider's signed callbacks. The
 * provider row names its adapter, the adapter verifies the signature over the raw body and
 * parses the event, and `shared/jobs/deliveries.ts` applies it once. The older paths
 * `/replicate?provider=<name>` and `/openrouter?provider=<name>` (the adapter in the path, the
 * provider in the query) keep working.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { sha256Hex } from "../../shared/encoding.ts";
import { AppError } from "../../shared/errors.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { parseJsonBytes } from "../../shared/http/safe_json.ts";
import { securedBy } from "../../shared/http/security_schemes.ts";
import { handleDelivery } from "../../shared/jobs/deliveries.ts";
import type { CallbackEvent } from "../../shared/providers/adapter.ts";
import { callbacksFor } from "../../shared/providers/adapters.ts";
import type { ProviderWebhooksDeps } from "./app.ts";
import { receivedBody, refused, webhookAckSchema } from "./webhook_parts.ts";

const route = createRoute({
  method: "post",
  path: "/{provider}",
  summary:
    "A provider's signed callback (Replicate: Standard Webhooks; OpenRouter: X-OpenRouter-Signature)",
  // Whichever the provider's adapter signs with.
  security: [...securedBy("standardWebhooks"), ...securedBy("openRouterSignature")],
  request: {
    params: z.object({ provider: z.string().max(64) }),
    query: z.object({
      // Older form: the path names the adapter and this names the provider.
      provider: z.string().max(64).optional(),
      // Only this job may be touched by the callback.
      job_id: z.string().max(64).optional(),
    }),
  },
  responses: {
    200: {
      description: "Acknowledged",
      content: { "application/json": { schema: webhookAckSchema } },
    },
    ...errorResponses(400, 401, 413, 503),
  },
});

/** Registers the route. */
export function registerCallbackRoute(app: FunctionApp, deps: ProviderWebhooksDeps): void {
  const { jobs } = deps;
  app.openapi(route, async (c) => {
    const segment = c.req.valid("param").provider;
    const { provider: named, job_id: jobId } = c.req.valid("query");
    const row = await jobs.registry.providerByName(named ?? segment);
    // In the older form the path's adapter must be the provider's own.
    if (!row || (named !== undefined && row.adapter !== segment)) throw refused();
    const callbacks = callbacksFor(row);
    if (!callbacks) throw refused();
    const secret = jobs.registry.webhookSecret(row);
    if (!secret) {
      jobs.log.error("webhook secret missing", { provider: row.name });
      throw new AppError("UNAVAILABLE", "Webhook receiver not configured", { retryAfter: 60 });
    }
    const body = receivedBody(c);
    const nowSeconds = Math.floor(jobs.now().getTime() / 1000);
    const verdict = await callbacks.verify(secret, c.req.raw.headers, body, nowSeconds);
    if (!verdict.ok) {
      jobs.log.warn("webhook refused", { provider: row.name, reason: verdict.reason });
      throw refused();
    }
    let event: CallbackEvent;
    try {
      event = callbacks.parse(c.req.raw.headers, parseJsonBytes(body));
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError("BAD_REQUEST", "Payload is not an event of this provider", { cause: err });
    }
    const result = await handleDelivery(jobs, {
      provider: row,
      ...event,
      payloadHash: sha256Hex(body),
      jobIdParam: jobId,
    });
    return c.json({ status: result }, 200);
  });
}
