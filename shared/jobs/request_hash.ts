/** A stable hash of a request, to tell an idempotent replay from a different body. */
import { sha256Hex } from "../encoding.ts";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** SHA-256 hex of the request's canonical JSON (key order and undefined fields ignored). */
export function requestHash(request: unknown): string {
  return sha256Hex(JSON.stringify(canonical(request)));
}
