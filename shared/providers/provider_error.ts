/**
 * A failed provider call, classified for the retry policy: 429 and 5xx, timeouts and network
 * errors are retryable; other 4xx are not. Never carries the API key.
 */

/** Why a provider call failed. */
export type ProviderFailure =
  | "rate_limited"
  | "server_error"
  | "timeout"
  | "network"
  | "rejected"
  | "invalid_response";

/** A classified provider failure. */
export class ProviderError extends Error {
  readonly provider: string;
  readonly failure: ProviderFailure;
  readonly status?: number;
  /** Seconds the provider asked us to wait (Retry-After). */
  readonly retryAfter?: number;

  constructor(
    provider: string,
    failure: ProviderFailure,
    message: string,
    opts: { status?: number; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "ProviderError";
    this.provider = provider;
    this.failure = failure;
    this.status = opts.status;
    this.retryAfter = opts.retryAfter;
  }

  /** Whether trying again later (or another model) can succeed. */
  get retryable(): boolean {
    return this.failure !== "rejected" && this.failure !== "invalid_response";
  }
}

/** Parses `Retry-After` (seconds or an HTTP date) into seconds. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Classifies an HTTP status from a provider. */
export function failureForStatus(status: number): ProviderFailure {
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout";
  if (status >= 500) return "server_error";
  return "rejected";
}
