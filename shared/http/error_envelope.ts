/**
 * The one error envelope: `{"error": {"code", "message", "request_id", "details"?}}`. Every
 * failure (ours, Hono's, a validation error, a bug) leaves through `toErrorResponse`.
 */
import { z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { AppError, ERROR_CODES, type ErrorCode } from "../errors.ts";
import type { Logger } from "../log.ts";
import { ProviderError } from "../providers/provider_error.ts";
import { ObjectStoreError } from "../storage/storage_errors.ts";

/** OpenAPI schema of the envelope, reused by every route's error responses. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    request_id: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
}).openapi("ErrorEnvelope");

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  402: "INSUFFICIENT_CREDITS",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  429: "RATE_LIMITED",
  502: "UPSTREAM_FAILED",
  503: "UNAVAILABLE",
};

/** postgres.js codes for a database that cannot be reached or is shutting down. */
const DB_UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

/**
 * Maps anything thrown to an {@link AppError}, here at the edge only: domain errors keep their
 * meaning (a provider or Storage outage, or an unreachable database, is a 503 with Retry-After;
 * a provider that refused or answered nonsense a 502); unknown errors become a bare INTERNAL.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ObjectStoreError) return err.toAppError();
  if (err instanceof ProviderError) {
    return err.retryable
      ? new AppError("UNAVAILABLE", "The provider is unavailable; try again shortly", {
        retryAfter: Math.max(1, Math.ceil(err.retryAfter ?? 30)),
        cause: err,
      })
      : new AppError("UPSTREAM_FAILED", "The provider refused the request", { cause: err });
  }
  if (DB_UNAVAILABLE.has(String((err as { code?: unknown } | null)?.code))) {
    return new AppError("UNAVAILABLE", "Temporarily unavailable; try again shortly", {
      retryAfter: 5,
      cause: err,
    });
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = CODE_BY_STATUS[err.status] ?? "BAD_REQUEST";
    // Hono's own 4xx messages (e.g. "Malformed JSON in request body") are safe to show.
    return new AppError(code, err.message || "Bad request", { cause: err });
  }
  return new AppError("INTERNAL", "Internal server error", { cause: err });
}

/** Renders the envelope; logs 5xx with their cause (never shown to the caller). */
export function toErrorResponse(err: unknown, requestId: string, log: Logger): Response {
  const appErr = toAppError(err);
  if (appErr.status >= 500) {
    log.error("request failed", {
      request_id: requestId,
      code: appErr.code,
      err: appErr.cause ?? appErr,
    });
  }
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  for (const [k, v] of Object.entries(appErr.headers ?? {})) headers.set(k, v);
  if (appErr.retryAfter !== undefined) {
    headers.set("retry-after", String(Math.ceil(appErr.retryAfter)));
  }
  const body = {
    error: {
      code: appErr.code,
      message: appErr.message,
      request_id: requestId,
      ...(appErr.details ? { details: appErr.details } : {}),
    },
  };
  return new Response(JSON.stringify(body), { status: appErr.status, headers });
}

/** Error responses for an OpenAPI route definition, by status. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, {
    description: CODE_BY_STATUS[s] ?? (s === 500 ? "INTERNAL" : "Error"),
    content: { "application/json": { schema: errorEnvelopeSchema } },
  }]));
}
