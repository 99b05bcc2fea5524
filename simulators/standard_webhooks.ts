/**
 * The sending side of Standard Webhooks (the scheme Replicate signs with), for the simulators and
 * tests: the three headers of a delivery, signed by the same code that verifies them
 * (shared/providers/webhook_signatures.ts), so there is one signer.
 */
import { encodeBase64 } from "../shared/encoding.ts";
import { signStandardWebhook } from "../shared/providers/webhook_signatures.ts";

/** A fresh secret shaped like Replicate's: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${encodeBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** What {@link standardWebhookHeaders} signs. */
export interface StandardWebhookMessage {
  /** `whsec_<base64>`; the part after the prefix is the HMAC key. */
  secret: string;
  id: string;
  /** Unix seconds. */
  timestamp: number;
  /** The exact body that will be sent. */
  body: string;
}

/** The three Standard Webhooks headers for one delivery. */
export async function standardWebhookHeaders(msg: StandardWebhookMessage): Promise<{
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}> {
  return {
    "webhook-id": msg.id,
    "webhook-timestamp": String(msg.timestamp),
    "webhook-signature": await signStandardWebhook(
      msg.secret,
      msg.id,
      String(msg.timestamp),
      new TextEncoder().encode(msg.body),
    ),
  };
}

/** The `X-OpenRouter-Signature` value for a callback body signed at `timestamp` (Unix seconds). */
export { signOpenRouterCallback } from "../shared/providers/webhook_signatures.ts";
