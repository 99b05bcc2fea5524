/**
 * OpenRouter Broadcast for the simulator: one OTLP/JSON trace per generation
 * (resourceSpans → scopeSpans → spans with `gen_ai.*` attributes, usage and cost), posted to a
 * webhook destination that authenticates with a static secret header (no HMAC).
 */
import { encodeHex } from "../shared/encoding.ts";
import type { Generation } from "./openrouter_chat.ts";

/** Where Broadcast traces go. */
export interface BroadcastTarget {
  url: string;
  /** Value of the static secret header. */
  secret?: string;
  /** @default "X-Broadcast-Secret" */
  header?: string;
}

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number };

/** The OTLP/JSON `ExportTraceServiceRequest` for one generation. */
export function otlpTrace(gen: Generation): Record<string, unknown> {
  const attrs: [string, AnyValue][] = [
    ["gen_ai.operation.name", { stringValue: gen.kind === "chat" ? "chat" : "video_generation" }],
    ["gen_ai.system", { stringValue: "openrouter" }],
    ["gen_ai.provider.name", { stringValue: gen.provider }],
    ["gen_ai.request.model", { stringValue: gen.request_model }],
    ["gen_ai.response.model", { stringValue: gen.model }],
    ["gen_ai.response.id", { stringValue: gen.id }],
    ["gen_ai.response.finish_reasons", { stringValue: gen.finish_reason }],
    // OTLP/JSON encodes 64-bit integers as decimal strings.
    ["gen_ai.usage.input_tokens", { intValue: String(gen.prompt_tokens) }],
    ["gen_ai.usage.output_tokens", { intValue: String(gen.completion_tokens) }],
    ["gen_ai.usage.total_tokens", { intValue: String(gen.prompt_tokens + gen.completion_tokens) }],
    ["gen_ai.usage.cost", { doubleValue: gen.cost }],
    ["openrouter.generation_id", { stringValue: gen.id }],
  ];
  if (gen.user) attrs.push(["user.id", { stringValue: gen.user }]);
  if (gen.session_id) attrs.push(["session.id", { stringValue: gen.session_id }]);
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "openrouter" } }] },
      scopeSpans: [{
        scope: { name: "openrouter.broadcast", version: "sim" },
        spans: [{
          traceId: hex(16),
          spanId: hex(8),
          name: `${gen.kind === "chat" ? "chat" : "video_generation"} ${gen.model}`,
          kind: 3, // SPAN_KIND_CLIENT
          startTimeUnixNano: `${gen.started_ms}000000`,
          endTimeUnixNano: `${gen.ended_ms}000000`,
          attributes: attrs.map(([key, value]) => ({ key, value })),
          status: gen.error ? { code: 2, message: gen.error } : { code: 1 },
        }],
      }],
    }],
  };
}

function hex(bytes: number): string {
  return encodeHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
