import { assertEquals, assertMatch } from "../support/assert.ts";
import { FUNCTION_NAMES as FUNCTIONS } from "../../scripts/lib/functions.ts";
import { mintUserJwt } from "../../scripts/lib/local_keys.ts";
import { stack } from "../support/stack.ts";

// A well-formed token for a user id that need not exist: the body is refused before any lookup.
const userToken = () => mintUserJwt(crypto.randomUUID(), { secret: stack.jwtSecret });

const url = (path: string) => `${stack.gatewayUrl}/functions/v1${path}`;

async function envelope(res: Response) {
  const body = await res.json();
  assertEquals(typeof body.error?.request_id, "string", JSON.stringify(body));
  assertEquals(res.headers.get("access-control-allow-origin"), "*", "CORS on the error");
  assertEquals(res.headers.get("content-type")?.startsWith("application/json"), true);
  return body.error as { code: string; message: string };
}

Deno.test("every function serves health, openapi.json and docs under /<name> through the gateway", async () => {
  for (const name of FUNCTIONS) {
    const health = await fetch(url(`/${name}/health`));
    assertEquals(health.status, 200, name);
    assertEquals(await health.json(), { status: "ok", function: name, database: "reachable" });
    const spec = await fetch(url(`/${name}/openapi.json`));
    assertEquals(spec.status, 200, name);
    const doc = await spec.json();
    assertEquals(doc.openapi, "3.1.0");
    assertEquals(
      Object.keys(doc.paths).includes(`/${name}/health`),
      true,
      `${name} documents /${name}/health`,
    );
    const docs = await fetch(url(`/${name}/docs`));
    assertEquals(docs.status, 200);
    const html = await docs.text();
    assertMatch(html, /openapi\.json/);
    assertEquals(
      /<script[^>]+src=|<link[^>]+href="http/.test(html),
      false,
      "docs load nothing from a CDN",
    );
  }
});

Deno.test("unknown routes get a 404 envelope, wrong methods a 405 with Allow", async () => {
  const missing = await fetch(url("/queue-job/no-such-route"));
  assertEquals(missing.status, 404);
  assertEquals((await envelope(missing)).code, "NOT_FOUND");
  const wrong = await fetch(url("/queue-job/health"), { method: "DELETE" });
  assertEquals(wrong.status, 405);
  assertEquals(wrong.headers.get("allow"), "GET, OPTIONS");
  assertEquals((await envelope(wrong)).code, "METHOD_NOT_ALLOWED");
  // A trailing slash reaches no route: a 404, not a 405 whose Allow names the method used.
  for (const path of ["/queue-job/", "/system-metrics/models/", "/enhance-prompt/"]) {
    const slash = await fetch(url(path), { method: "POST", body: "{}" });
    assertEquals([path, slash.status], [path, 404]);
    assertEquals((await envelope(slash)).code, "NOT_FOUND");
  }
  const noFunction = await fetch(url("/no-such-function/health"));
  assertEquals(noFunction.status, 404);
  await noFunction.body?.cancel();
});

Deno.test("malformed JSON to a function route gets a 400 envelope through the gateway", async () => {
  const res = await fetch(url("/queue-job"), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await userToken()}` },
    body: "{not json",
  });
  assertEquals(res.status, 400);
  assertEquals((await envelope(res)).code, "BAD_REQUEST");
});

Deno.test("bodies over the cap get a 413 envelope before any handler runs", async () => {
  const res = await fetch(url("/queue-job/health"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pad: "x".repeat(70_000) }),
  });
  assertEquals(res.status, 413);
  assertEquals((await envelope(res)).code, "PAYLOAD_TOO_LARGE");
});

Deno.test("preflight answers 204 with CORS headers and the request id is echoed", async () => {
  const res = await fetch(url("/queue-job/health"), {
    method: "OPTIONS",
    headers: {
      origin: "https://app.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });
  await res.body?.cancel();
  assertEquals(res.status, 204);
  assertEquals(res.headers.get("access-control-allow-origin"), "*");
  assertMatch(res.headers.get("access-control-allow-headers") ?? "", /authorization/);
  assertMatch(res.headers.get("access-control-allow-methods") ?? "", /POST/);
  const traced = await fetch(url("/queue-job/health"), {
    headers: { "x-request-id": "trace-1234567890" },
  });
  await traced.body?.cancel();
  assertEquals(traced.headers.get("x-request-id"), "trace-1234567890");
});
