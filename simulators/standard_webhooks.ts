/**
 * The sending side of Standard Webhooks (the scheme Replicate signs with): `webhook-id`,
 * `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256>` over
 * `${id}.${timestamp}.${body}`, keyed by the base64-decoded part of the `whsec_` secret.
 */

/** A fresh secret shaped like Replicate's: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** What {@link signStandardWebhook} signs. */
export interface StandardWebhookMessage {
  /** `whsec_<base64>`; the part after the prefix is the HMAC key. */
  secret: string;
  id: string;
  /** Unix seconds. */
  timestamp: number;
  /** The exact body bytes that will be sent. */
  body: string;
}

/** The three Standard Webhooks headers for one delivery. */
export async function signStandardWebhook(msg: StandardWebhookMessage): Promise<{
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}> {
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(msg.secret.startsWith("whsec_") ? msg.secret.slice(6) : msg.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signed = new TextEncoder().encode(`${msg.id}.${msg.timestamp}.${msg.body}`);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
  return {
    "webhook-id": msg.id,
    "webhook-timestamp": String(msg.timestamp),
    "webhook-signature": `v1,${toBase64(mac)}`,
  };
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
