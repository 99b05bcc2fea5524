import { assertEquals } from "../../tests/support/assert.ts";
import { operationIdFor } from "./operation_ids.ts";

Deno.test("operation ids are camelCase method + path, the root named after the function", () => {
  const none = new Set<string>();
  assertEquals(operationIdFor("post", "/queue-job", "/queue-job", none), "postQueueJob");
  assertEquals(operationIdFor("get", "/queue-job/jobs/{id}", "/queue-job", none), "getJobsById");
  assertEquals(
    operationIdFor("post", "/queue-job/jobs/{job_id}/cancel", "/queue-job", none),
    "postJobsByJobIdCancel",
  );
  assertEquals(operationIdFor("get", "/fn/openapi.json", "/fn", none), "getOpenapiJson");
  assertEquals(
    operationIdFor("post", "/provider-webhooks/openrouter/broadcast", "/provider-webhooks", none),
    "postOpenrouterBroadcast",
  );
});

Deno.test("an operation id already taken gets a numbered suffix", () => {
  // `/a-b` and `/a/b` both read as `getAB`.
  const taken = new Set(["getAB", "getAB2"]);
  assertEquals(operationIdFor("get", "/fn/a/b", "/fn", taken), "getAB3");
});
