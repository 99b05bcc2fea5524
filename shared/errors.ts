/**
 * The one error type the functions throw for expected failures. Each carries a code from the
 * closed list of DESIGN.md section 6; the HTTP layer turns it into the error envelope once.
 */

/** The closed list of error codes in the envelope. */
export const ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "INSUFFICIENT_CREDITS",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "UPSTREAM_FAILED",
  "UNAVAILABLE",
  "INTERNAL",
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = typeof ERROR_CODES[number];

/** HTTP status for each code. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  INSUFFICIENT_CREDITS: 402,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UPSTREAM_FAILED: 502,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** A field-level validation problem, reported in the envelope's `details`. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Options for {@link AppError}. */
export interface AppErrorOptions {
  /** Seconds, sent as `Retry-After` (429 and 503). */
  retryAfter?: number;
  details?: FieldIssue[];
  /** Extra response headers (e.g. `Allow` on a 405). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An expected failure with a public message. The message is shown to the caller, so it never
 * carries internal text; the cause is kept for the logs.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfter?: number;
  readonly details?: FieldIssue[];
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, opts: AppErrorOptions = {}) {
    super(message, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.retryAfter = opts.retryAfter;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  /** The HTTP status for this error's code. */
  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}
