import { assertEquals, assertThrows } from "../tests/support/assert.ts";
import {
  FailureCounter,
  mergeScenarios,
  ScenarioError,
  scenarioFromModel,
  scenarioFromText,
} from "./scenario.ts";

const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

Deno.test("scenarioFromModel reads sim:<base64url> and sim:{json}, ignores plain refs", () => {
  const json = '{"outcome":"failed","webhook":{"duplicate":1}}';
  assertEquals(scenarioFromModel(`sim/flux-sim:${b64url(json)}`), JSON.parse(json));
  assertEquals(scenarioFromModel(`sim:${json}`), JSON.parse(json));
  assertEquals(scenarioFromModel(encodeURIComponent(`owner/m-sim:${json}`)), JSON.parse(json));
  assertEquals(scenarioFromModel("black-forest-labs/flux-schnell"), {});
  assertEquals(scenarioFromModel(undefined), {});
  assertThrows(() => scenarioFromModel("sim:{not json}"), ScenarioError);
});

Deno.test("scenarioFromText strips the directive, even with ]] inside the JSON", () => {
  const r = scenarioFromText('a cat [[sim:{"fallback_fail":[["x"]],"outputs":2}]] on a mat');
  assertEquals(r.scenario, { fallback_fail: [["x"]], outputs: 2 });
  assertEquals(r.text, "a cat on a mat");
  assertEquals(scenarioFromText("no directive").scenario, {});
  assertThrows(() => scenarioFromText("[[sim:{oops]]"), ScenarioError);
});

Deno.test("mergeScenarios: later wins, webhook merged key by key", () => {
  assertEquals(
    mergeScenarios(
      { delay_ms: 10, webhook: { retries: 1, delay_ms: 5 } },
      { outcome: "failed", webhook: { duplicate: 1 } },
      { delay_ms: 0 },
    ),
    { delay_ms: 0, outcome: "failed", webhook: { retries: 1, delay_ms: 5, duplicate: 1 } },
  );
});

Deno.test("FailureCounter: fail_first counts per key; no fail_first fails always", () => {
  const c = new FailureCounter();
  const s = { create_status: 429, fail_first: 2 };
  assertEquals([c.shouldFail(s, "a"), c.shouldFail(s, "a"), c.shouldFail(s, "a")], [
    true,
    true,
    false,
  ]);
  assertEquals(c.shouldFail(s, "b"), true, "another key has its own count");
  assertEquals(c.shouldFail({ create_status: 500 }, "a"), true);
  assertEquals(c.shouldFail({}, "a"), false);
});
