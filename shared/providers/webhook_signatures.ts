/**
 * Webhook verification on the raw body, constant-time, with a 5-minute timestamp tolerance:
 * Standard Webhooks (Replicate), OpenRouter's `X-OpenRouter-Signature: t=..,v1=..` over
 * `<t>,<body>`, and OpenRouter Broadcast's static secret header.
 */
import { createHmac } from "node:crypto";
import { decodeBase64, encodeBase64, encodeHex } from "../encoding.ts";

/** Seconds a signed timestamp may differ from our clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Why a signature was refused (never shown to the sender beyond a 401). */
export type SignatureFailure = "missing_headers" | "bad_secret" | "stale_timestamp" | "mismatch";

/** Result of a verification. */
export type Verification = { ok: true } | { ok: false; reason: SignatureFailure };

const encoder = new TextEncoder();

/**
 * HMAC-SHA256 with node:crypto's synchronous hash: WebCrypto's `sign` runs on another thread in
 * Deno (an import and a sign, two hops per delivery). Async only so the callers stay as they are.
 */
// deno-lint-ignore require-await
async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const mac = createHmac("sha256", key).update(data).digest();
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
}

/** Constant-time comparison of two byte strings. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function concat(...parts: (string | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((p) => typeof p === "string" ? encoder.encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of bytes) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}

function fresh(timestamp: string, nowSeconds: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowSeconds - Number(timestamp)) <= SIGNATURE_TOLERANCE_SECONDS;
}

/** The Standard Webhooks signature of a message (`v1,<base64>`). */
export async function signStandardWebhook(
  secret: string,
  id: string,
  timestamp: string,
  body: Uint8Array,
): Promise<string> {
  const key = decodeBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
  return `v1,${encodeBase64(await hmacSha256(key, concat(`${id}.${timestamp}.`, body)))}`;
}

/**
 * Verifies a Standard Webhooks delivery (Replicate): `webhook-id`, `webhook-timestamp`
 * within tolerance, and any `v1,` entry of the space-delimited `webhook-signature` matching.
 */
export async function verifyStandardWebhook(
  secret: string,
  headers: Headers,
  body: Uint8Array,
  nowSeconds: number,
): Promise<Verification> {
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signatures = headers.get("webhook-signature");
  if (!id || !timestamp || !signatures) return { ok: false, reason: "missing_headers" };
  if (!fresh(timestamp, nowSeconds)) return { ok: false, reason: "stale_timestamp" };
  let key: Uint8Array;
  try {
    key = decodeBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
  } catch {
    return { ok: false, reason: "bad_secret" };
  }
  if (key.length === 0) return { ok: false, reason: "bad_secret" };
  const expected = await hmacSha256(key, concat(`${id}.${timestamp}.`, body));
  for (const entry of signatures.split(" ")) {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) continue;
    let given: Uint8Array;
    try {
      given = decodeBase64(value);
    } catch {
      continue;
    }
    if (constantTimeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: "mismatch" };
}

/** The `X-OpenRouter-Signature` value for a callback body. */
export async function signOpenRouterCallback(
  secret: string,
  timestamp: string,
  body: Uint8Array,
): Promise<string> {
  return `t=${timestamp},v1=${
    encodeHex(await hmacSha256(encoder.encode(secret), concat(`${timestamp},`, body)))
  }`;
}

/** Verifies an OpenRouter video callback: `t=<ts>,v1=<hex HMAC-SHA256 of "<ts>,<body>">`. */
export async function verifyOpenRouterCallback(
  secret: string,
  header: string | null,
  body: Uint8Array,
  nowSeconds: number,
): Promise<Verification> {
  if (!header) return { ok: false, reason: "missing_headers" };
  if (!secret) return { ok: false, reason: "bad_secret" };
  const parts = new Map<string, string[]>();
  for (const piece of header.split(",")) {
    const [k, v] = piece.trim().split("=", 2);
    if (k && v) parts.set(k, [...(parts.get(k) ?? []), v]);
  }
  const timestamp = parts.get("t")?.[0];
  const candidates = parts.get("v1") ?? [];
  if (!timestamp || candidates.length === 0) return { ok: false, reason: "missing_headers" };
  if (!fresh(timestamp, nowSeconds)) return { ok: false, reason: "stale_timestamp" };
  const expected = encoder.encode(
    encodeHex(await hmacSha256(encoder.encode(secret), concat(`${timestamp},`, body))),
  );
  for (const candidate of candidates) {
    if (constantTimeEqual(encoder.encode(candidate.toLowerCase()), expected)) return { ok: true };
  }
  return { ok: false, reason: "mismatch" };
}

/** Verifies OpenRouter Broadcast's static secret header (it has no HMAC). */
export function verifyStaticSecret(secret: string, given: string | null): Verification {
  if (!given) return { ok: false, reason: "missing_headers" };
  if (!secret) return { ok: false, reason: "bad_secret" };
  return constantTimeEqual(encoder.encode(given), encoder.encode(secret))
    ? { ok: true }
    : { ok: false, reason: "mismatch" };
}
