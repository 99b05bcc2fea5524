/**
 * The one error type of the storage port. The Storage API answers most failures with HTTP 400
 * and the real status as a string in the body (`{"statusCode": "404", "code": "NoSuchKey",
 * "error": ..., "message": ...}`), so the class is built from the body, not the HTTP status.
 */
import { AppError, type ErrorCode } from "../errors.ts";

/** Why a storage call failed. */
export type ObjectStoreErrorCode =
  | "not_found"
  | "conflict"
  | "too_large"
  | "mime_not_allowed"
  | "forbidden"
  | "unauthorized"
  | "invalid_path"
  | "invalid_request"
  | "unavailable"
  | "upstream"
  /**
   * Storage refused the service credentials: a service write answered 403, or a service read
   * answered 404 for an object the database says exists. The real server never says "invalid
   * key" (D2, D3), so this is told apart by who asked, not by the answer.
   */
  | "misconfigured";

const STATUS_BY_CODE: Record<ObjectStoreErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  too_large: 413,
  mime_not_allowed: 415,
  forbidden: 403,
  unauthorized: 401,
  invalid_path: 400,
  invalid_request: 400,
  unavailable: 503,
  upstream: 502,
  misconfigured: 503,
};

const APP_CODE: Record<ObjectStoreErrorCode, ErrorCode> = {
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  too_large: "PAYLOAD_TOO_LARGE",
  mime_not_allowed: "BAD_REQUEST",
  forbidden: "FORBIDDEN",
  unauthorized: "UPSTREAM_FAILED",
  invalid_path: "BAD_REQUEST",
  invalid_request: "UPSTREAM_FAILED",
  unavailable: "UNAVAILABLE",
  upstream: "UPSTREAM_FAILED",
  // Not the caller's fault and nothing they can fix: Storage is unusable for us until an
  // operator fixes the key.
  misconfigured: "UNAVAILABLE",
};

// Storage's own error codes (body `code`, or `error` on older servers) when they say more than
// the status does.
const BY_STORAGE_CODE: Record<string, ObjectStoreErrorCode> = {
  NoSuchKey: "not_found",
  NoSuchBucket: "not_found",
  not_found: "not_found",
  ResourceAlreadyExists: "conflict",
  KeyAlreadyExists: "conflict",
  Duplicate: "conflict",
  EntityTooLarge: "too_large",
  InvalidMimeType: "mime_not_allowed",
  invalid_mime_type: "mime_not_allowed",
  AccessDenied: "forbidden",
  InvalidJWT: "unauthorized",
  InvalidKey: "invalid_path",
};

/** A failed storage operation: `status` is Storage's real status, `code` ours. */
export class ObjectStoreError extends Error {
  readonly code: ObjectStoreErrorCode;
  /** The real status (from the body's `statusCode`), or the closest one for local failures. */
  readonly status: number;
  /** Storage's own code (`NoSuchKey`, `InvalidMimeType`, ...), when it sent one. */
  readonly storageCode?: string;

  constructor(
    code: ObjectStoreErrorCode,
    message: string,
    opts: { status?: number; storageCode?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "ObjectStoreError";
    this.code = code;
    this.status = opts.status ?? STATUS_BY_CODE[code];
    this.storageCode = opts.storageCode;
  }

  /** The envelope error a handler should answer with; the storage message stays in the logs. */
  toAppError(publicMessage = "Storage request failed"): AppError {
    // An outage is a 503 the client may retry, never a 500.
    const retryAfter = this.code === "unavailable"
      ? 5
      : this.code === "misconfigured"
      ? 60
      : undefined;
    return new AppError(APP_CODE[this.code], publicMessage, { cause: this, retryAfter });
  }
}

/** Our code for a Storage status (the body's `statusCode`, else the HTTP status). */
export function codeForStatus(status: number): ObjectStoreErrorCode {
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 413) return "too_large";
  if (status === 415) return "mime_not_allowed";
  if (status === 403) return "forbidden";
  if (status === 401) return "unauthorized";
  if ([423, 429, 503, 544].includes(status)) return "unavailable";
  if (status >= 500) return "upstream";
  return "invalid_request";
}

/**
 * Converts what supabase-js returned as `error` (a StorageApiError with `status`, `statusCode`
 * and `code`, or a StorageUnknownError for network failures) into an {@link ObjectStoreError}.
 */
export function toObjectStoreError(err: unknown, context: string): ObjectStoreError {
  if (err instanceof ObjectStoreError) return err;
  const e = (err ?? {}) as { status?: unknown; statusCode?: unknown; code?: unknown };
  const message = `${context}: ${err instanceof Error ? err.message : String(err)}`;
  const bodyStatus = Number(e.statusCode);
  const httpStatus = Number(e.status);
  const status = Number.isInteger(bodyStatus) && bodyStatus >= 100
    ? bodyStatus
    : Number.isInteger(httpStatus) && httpStatus >= 100
    ? httpStatus
    : undefined;
  const storageCode = typeof e.code === "string"
    ? e.code
    : typeof e.statusCode === "string" && !Number.isInteger(bodyStatus)
    ? e.statusCode
    : undefined;
  if (status === undefined) {
    // No HTTP answer at all (DNS, refused connection, reset): the service is unreachable.
    return new ObjectStoreError("unavailable", message, { cause: err, storageCode });
  }
  const code = (storageCode ? BY_STORAGE_CODE[storageCode] : undefined) ?? codeForStatus(status);
  return new ObjectStoreError(code, message, { status, storageCode, cause: err });
}
