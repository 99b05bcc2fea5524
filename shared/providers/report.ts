/** What a provider says about a generation, the same shape whichever provider said it. */

/** A provider's report in our terms. */
export interface ProviderReport {
  state: "running" | "succeeded" | "failed" | "cancelled";
  /** Output URLs (or data: URIs), in order. */
  outputs: string[];
  error?: string | null;
  /** What the provider says the generation cost, for its api_usage_logs row. */
  usage?: ReportedUsage;
}

/** A provider's own account of a generation's cost, the same shape for every adapter. */
export interface ReportedUsage {
  costUsd?: number;
  tokensInput?: number;
  tokensOutput?: number;
  /** Other provider facts kept with the row (Replicate's `predict_time`). */
  facts?: Record<string, unknown>;
}
