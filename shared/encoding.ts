/** Base64, hex, SHA-256 and UUID helpers (JSR's @std/encoding is not reachable from our machines). */
import { createHash } from "node:crypto";

/** Bytes → standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Standard or URL-safe base64 → bytes.
 * @throws {TypeError} on characters outside the alphabet
 */
export function decodeBase64(text: string): Uint8Array {
  const normalized = text.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normalized)) throw new TypeError("Invalid base64");
  const padded = normalized + "=".repeat((4 - (normalized.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** Bytes → lowercase hex. */
export function encodeHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * SHA-256 of bytes or a UTF-8 string, as lowercase hex. Synchronous (node:crypto): WebCrypto's
 * digest is asynchronous and runs on another thread, a hop that showed in every request's tail
 * (the request log hashes the user id, chat and enhancement the provider's user tag, queue-job
 * the idempotent request).
 */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical 8-4-4-4-12 hex form. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** One array of the chunks' bytes, in order. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
