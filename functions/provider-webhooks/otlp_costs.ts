/** Reads generation ids, token counts and cost from an OTLP/JSON trace (OpenRouter Broadcast). */
import { storable } from "../../shared/db/tables/api_usage_logs.ts";

/** One generation's usage from a span. */
export interface TraceCost {
  generationId: string;
  costUsd?: number;
  tokensInput?: number;
  tokensOutput?: number;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number };

const anyValue = (v: unknown): AnyValue | undefined =>
  v !== null && typeof v === "object" ? v as AnyValue : undefined;

function value(v: AnyValue | undefined): string | number | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  return undefined;
}

const num = (v: unknown) => typeof v === "string" ? Number(v) : v;
// What the usage row's columns hold; a value outside is dropped like any other unreadable one.
const tokens = (v: unknown) => storable.tokens(num(v));
const cost = (v: unknown) => storable.costUsd(num(v));
/** The array at a field, or nothing: a sender's object or number where a list belongs is skipped. */
const list = (v: unknown): unknown[] => Array.isArray(v) ? v : [];

/** Every span that names a generation, with what it reports. Unknown shapes yield nothing. */
export function costsFromTrace(trace: unknown): TraceCost[] {
  const out: TraceCost[] = [];
  const resourceSpans = (trace as { resourceSpans?: unknown[] })?.resourceSpans;
  if (!Array.isArray(resourceSpans)) return out;
  for (const rs of resourceSpans) {
    for (const ss of list((rs as { scopeSpans?: unknown })?.scopeSpans)) {
      for (const span of list((ss as { spans?: unknown })?.spans)) {
        const attrs = new Map<string, string | number | undefined>();
        for (const raw of list((span as { attributes?: unknown })?.attributes)) {
          const a = raw as { key?: unknown; value?: unknown } | null;
          if (a && typeof a.key === "string") attrs.set(a.key, value(anyValue(a.value)));
        }
        const id = attrs.get("openrouter.generation_id") ?? attrs.get("gen_ai.response.id");
        if (typeof id !== "string" || id.length === 0 || id.length > 200) continue;
        out.push({
          generationId: id,
          costUsd: cost(attrs.get("gen_ai.usage.cost")),
          tokensInput: tokens(
            attrs.get("gen_ai.usage.input_tokens") ?? attrs.get("gen_ai.usage.prompt_tokens"),
          ),
          tokensOutput: tokens(
            attrs.get("gen_ai.usage.output_tokens") ?? attrs.get("gen_ai.usage.completion_tokens"),
          ),
        });
      }
    }
  }
  return out;
}
