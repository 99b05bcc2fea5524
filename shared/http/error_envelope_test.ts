import { assertEquals } from "../../tests/support/assert.ts";
import { createLogger } from "../log.ts";
import { ProviderError } from "../providers/provider_error.ts";
import { ObjectStoreError } from "../storage/storage_errors.ts";
import { toErrorResponse } from "./error_envelope.ts";

const quiet = createLogger({ level: "error", sink: () => {} });

async function answer(err: unknown) {
  const res = toErrorResponse(err, "req-1", quiet);
  const body = await res.json();
  return [res.status, body.error.code, res.headers.get("retry-after")];
}

Deno.test("domain errors map to the envelope at the edge: outages are 503 with Retry-After", async () => {
  assertEquals(await answer(new ProviderError("p", "server_error", "HTTP 502")), [
    503,
    "UNAVAILABLE",
    "30",
  ]);
  assertEquals(
    await answer(new ProviderError("p", "rate_limited", "HTTP 429", { retryAfter: 7.2 })),
    [503, "UNAVAILABLE", "8"],
  );
  assertEquals(await answer(new ProviderError("p", "rejected", "HTTP 422")), [
    502,
    "UPSTREAM_FAILED",
    null,
  ]);
  assertEquals(await answer(new ObjectStoreError("unavailable", "down")), [
    503,
    "UNAVAILABLE",
    "5",
  ]);
  assertEquals(await answer(new ObjectStoreError("not_found", "gone")), [404, "NOT_FOUND", null]);
  const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  assertEquals(await answer(refused), [503, "UNAVAILABLE", "5"]);
  assertEquals(await answer(new Error("a bug")), [500, "INTERNAL", null]);
});

Deno.test("a mapped domain error never shows its internal message", async () => {
  const res = toErrorResponse(
    new ProviderError("p", "server_error", "https://secret.example/v1 answered 502"),
    "req-2",
    quiet,
  );
  const text = await res.text();
  assertEquals(text.includes("secret.example"), false, text);
});
