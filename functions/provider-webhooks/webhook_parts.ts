/** What the webhook routes share: the received bytes, the refusal, the acknowledgement. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../../shared/errors.ts";
import type { HonoEnv } from "../../shared/http/context.ts";

/** Response of every webhook route. */
export const webhookAckSchema = z.object({ status: z.string() }).openapi("WebhookAck");

/**
 * The exact bytes the sender signed: the app's body reader (shared/http/body_reader.ts) read and
 * capped them before any route ran.
 */
export function receivedBody(c: Context<HonoEnv>): Uint8Array {
  return c.get("requestBody") ?? new Uint8Array(0);
}

/** A 401 that says nothing about why (the reason goes to the log). */
export function refused(): AppError {
  return new AppError("UNAUTHORIZED", "Invalid webhook signature");
}
