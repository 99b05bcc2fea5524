/**
 * The fetch the provider SDKs are given: a deadline on every call, the provider's own auth
 * header, and 429/5xx handed back to us untouched. The SDKs have retry loops of their own
 * (Replicate's sleeps up to ~15 s inside a POST on 429 and ignores Retry-After); our
 * dispatcher owns retries and backoff, so those statuses are relabelled before the SDK sees
 * them and restored when the error is classified.
 */
import { failureForStatus, parseRetryAfter, ProviderError } from "./provider_error.ts";

const UPSTREAM_STATUS = "x-upstream-status";
/** A status the SDKs never retry, standing in for 429/5xx on the way through them. */
const RELABELLED = 424;

/** Options for {@link providerFetch}. */
export interface ProviderFetchOptions {
  provider: string;
  /** Headers replacing what the SDK sets (auth schemes other than Bearer). */
  headers?: Record<string, string>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** Builds the fetch for one provider. */
export function providerFetch(opts: ProviderFetchOptions): typeof fetch {
  const base = opts.fetch ?? fetch;
  return async (input, rawInit) => {
    // The SDKs' typings merge Node's and the DOM's RequestInit; only these fields matter here.
    const init = rawInit as { headers?: HeadersInit; signal?: AbortSignal | null } | undefined;
    const headers = new Headers(init?.headers);
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers.set(k, v);
    const signal = init?.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(opts.timeoutMs)])
      : AbortSignal.timeout(opts.timeoutMs);
    let res: Response;
    try {
      res = await base(input, { ...(rawInit as RequestInit), headers, signal });
    } catch (err) {
      const timedOut = err instanceof DOMException &&
        (err.name === "TimeoutError" || err.name === "AbortError");
      throw new ProviderError(
        opts.provider,
        timedOut ? "timeout" : "network",
        timedOut ? "Provider call timed out" : "Provider unreachable",
        {
          cause: err,
        },
      );
    }
    if (res.status !== 429 && res.status < 500) return res;
    const relabelled = new Headers(res.headers);
    relabelled.set(UPSTREAM_STATUS, String(res.status));
    return new Response(res.body, {
      status: RELABELLED,
      statusText: "Upstream error",
      headers: relabelled,
    });
  };
}

/** Turns whatever an SDK threw into a {@link ProviderError}. */
export function classifySdkError(provider: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const response = (err as { response?: Response })?.response;
  const rawStatus = (err as { status?: number })?.status ?? response?.status;
  const headers = response?.headers ?? (err as { headers?: Headers })?.headers;
  const upstream = headers instanceof Headers ? headers.get(UPSTREAM_STATUS) : undefined;
  const status = upstream ? Number(upstream) : rawStatus;
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof ProviderError) return cause;
  if (typeof status !== "number") {
    return new ProviderError(provider, "network", "Provider call failed", { cause: err });
  }
  const retryAfter = headers instanceof Headers
    ? parseRetryAfter(headers.get("retry-after"))
    : undefined;
  return new ProviderError(provider, failureForStatus(status), `Provider answered HTTP ${status}`, {
    status,
    retryAfter,
    cause: err,
  });
}
