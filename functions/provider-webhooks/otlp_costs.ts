/** Reads generation ids, token counts and cost from an OTLP/JSON trace (OpenRouter Broadcast). */

/** One generation's usage from a span. */
export interface TraceCost {
  generationId: string;
  costUsd?: number;
  tokensInput?: number;
  tokensOutput?: number;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number };

function value(v: AnyValue | undefined): string | number | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  return undefined;
}

const num = (v: unknown) => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : undefined;
};

/** Every span that names a generation, with what it reports. Unknown shapes yield nothing. */
export function costsFromTrace(trace: unknown): TraceCost[] {
  const out: TraceCost[] = [];
  const resourceSpans = (trace as { resourceSpans?: unknown[] })?.resourceSpans;
  if (!Array.isArray(resourceSpans)) return out;
  for (const rs of resourceSpans) {
    for (const ss of (rs as { scopeSpans?: unknown[] })?.scopeSpans ?? []) {
      for (const span of (ss as { spans?: unknown[] })?.spans ?? []) {
        const attrs = new Map<string, string | number | undefined>();
        for (
          const a of (span as { attributes?: { key: string; value: AnyValue }[] })?.attributes ?? []
        ) {
          if (a && typeof a.key === "string") attrs.set(a.key, value(a.value));
        }
        const id = attrs.get("openrouter.generation_id") ?? attrs.get("gen_ai.response.id");
        if (typeof id !== "string" || id.length === 0 || id.length > 200) continue;
        out.push({
          generationId: id,
          costUsd: num(attrs.get("gen_ai.usage.cost")),
          tokensInput: num(
            attrs.get("gen_ai.usage.input_tokens") ?? attrs.get("gen_ai.usage.prompt_tokens"),
          ),
          tokensOutput: num(
            attrs.get("gen_ai.usage.output_tokens") ?? attrs.get("gen_ai.usage.completion_tokens"),
          ),
        });
      }
    }
  }
  return out;
}
