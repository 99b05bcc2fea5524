import { assertEquals } from "../../tests/support/assert.ts";
import { costsFromTrace } from "./otlp_costs.ts";

const span = (attributes: unknown) => ({
  resourceSpans: [{ scopeSpans: [{ spans: [{ attributes }] }] }],
});
const attr = (key: string, value: unknown) => ({ key, value });

Deno.test("a well-formed span gives its generation's tokens and cost", () => {
  assertEquals(
    costsFromTrace(span([
      attr("openrouter.generation_id", { stringValue: "gen-1" }),
      attr("gen_ai.usage.input_tokens", { intValue: "12" }),
      attr("gen_ai.usage.output_tokens", { intValue: 30 }),
      attr("gen_ai.usage.cost", { doubleValue: 0.0042 }),
    ])),
    [{ generationId: "gen-1", costUsd: 0.0042, tokensInput: 12, tokensOutput: 30 }],
  );
});

Deno.test("lists that are not lists and values out of the columns' range are skipped, not thrown on", () => {
  for (
    const trace of [
      { resourceSpans: [{ scopeSpans: {} }] },
      { resourceSpans: [{ scopeSpans: [{ spans: 5 }] }] },
      span({ a: 1 }),
      span([null, 7, "x", attr("openrouter.generation_id", null)]),
      { resourceSpans: [null, 3, "x"] },
    ]
  ) {
    assertEquals(costsFromTrace(trace), [], JSON.stringify(trace));
  }
  assertEquals(
    costsFromTrace(span([
      attr("openrouter.generation_id", { stringValue: "gen-2" }),
      attr("gen_ai.usage.input_tokens", { intValue: "99999999999999999999" }),
      attr("gen_ai.usage.output_tokens", { doubleValue: 1.5 }),
      attr("gen_ai.usage.cost", { doubleValue: 1e12 }),
    ])),
    [{
      generationId: "gen-2",
      costUsd: undefined,
      tokensInput: undefined,
      tokensOutput: undefined,
    }],
  );
});
