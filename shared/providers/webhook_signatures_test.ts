import { assertEquals } from "../../tests/support/assert.ts";
import {
  signOpenRouterCallback,
  signStandardWebhook,
  verifyOpenRouterCallback,
  verifyStandardWebhook,
  verifyStaticSecret,
} from "./webhook_signatures.ts";

const enc = (s: string) => new TextEncoder().encode(s);
// The Standard Webhooks reference vector (svix), reused by Replicate's client tests.
const VECTOR = {
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: "1614265330",
  body: '{"test": 2432232314}',
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const headers = (sig: string, ts = VECTOR.timestamp, id = VECTOR.id) =>
  new Headers({ "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": sig });
const at = Number(VECTOR.timestamp);

Deno.test("verifyStandardWebhook accepts the reference vector and rejects every tampering", async () => {
  assertEquals(
    await signStandardWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, enc(VECTOR.body)),
    VECTOR.signature,
  );
  assertEquals(
    await verifyStandardWebhook(VECTOR.secret, headers(VECTOR.signature), enc(VECTOR.body), at),
    { ok: true },
  );
  assertEquals(
    await verifyStandardWebhook(
      VECTOR.secret,
      headers(`v1,bm9wZQ== ${VECTOR.signature}`),
      enc(VECTOR.body),
      at,
    ),
    { ok: true },
    "any of several signatures",
  );
  const cases: [string, Promise<unknown>, string][] = [
    [
      "tampered body",
      verifyStandardWebhook(
        VECTOR.secret,
        headers(VECTOR.signature),
        enc('{"test": 2432232315}'),
        at,
      ),
      "mismatch",
    ],
    [
      "wrong secret",
      verifyStandardWebhook(
        "whsec_" + btoa("another secret of enough length"),
        headers(VECTOR.signature),
        enc(VECTOR.body),
        at,
      ),
      "mismatch",
    ],
    [
      "stale timestamp",
      verifyStandardWebhook(VECTOR.secret, headers(VECTOR.signature), enc(VECTOR.body), at + 301),
      "stale_timestamp",
    ],
    [
      "future timestamp",
      verifyStandardWebhook(VECTOR.secret, headers(VECTOR.signature), enc(VECTOR.body), at - 301),
      "stale_timestamp",
    ],
    [
      "other id",
      verifyStandardWebhook(
        VECTOR.secret,
        headers(VECTOR.signature, VECTOR.timestamp, "msg_other"),
        enc(VECTOR.body),
        at,
      ),
      "mismatch",
    ],
    [
      "v2 scheme only",
      verifyStandardWebhook(
        VECTOR.secret,
        headers(VECTOR.signature.replace("v1,", "v2,")),
        enc(VECTOR.body),
        at,
      ),
      "mismatch",
    ],
    [
      "missing headers",
      verifyStandardWebhook(VECTOR.secret, new Headers(), enc(VECTOR.body), at),
      "missing_headers",
    ],
    [
      "garbage timestamp",
      verifyStandardWebhook(VECTOR.secret, headers(VECTOR.signature, "soon"), enc(VECTOR.body), at),
      "stale_timestamp",
    ],
  ];
  for (const [name, result, reason] of cases) {
    assertEquals(await result, { ok: false, reason }, name);
  }
});

Deno.test("verifyOpenRouterCallback checks t=..,v1=.. over '<t>,<body>' with a 5-minute window", async () => {
  const secret = "or-signing-secret";
  const body = enc('{"type":"video.generation.completed","data":{"id":"job_1"}}');
  const ts = "1795300000";
  const now = Number(ts) + 10;
  const header = await signOpenRouterCallback(secret, ts, body);
  assertEquals(await verifyOpenRouterCallback(secret, header, body, now), { ok: true });
  assertEquals(
    await verifyOpenRouterCallback(
      secret,
      `t=${ts},v1=${"0".repeat(64)},${header.split(",")[1]}`,
      body,
      now,
    ),
    { ok: true },
    "several v1 values",
  );
  assertEquals(await verifyOpenRouterCallback(secret, header, enc("{}"), now), {
    ok: false,
    reason: "mismatch",
  });
  assertEquals(await verifyOpenRouterCallback("other", header, body, now), {
    ok: false,
    reason: "mismatch",
  });
  assertEquals(await verifyOpenRouterCallback(secret, header, body, now + 400), {
    ok: false,
    reason: "stale_timestamp",
  });
  assertEquals(await verifyOpenRouterCallback(secret, header, body, now - 700), {
    ok: false,
    reason: "stale_timestamp",
  });
  assertEquals(await verifyOpenRouterCallback(secret, null, body, now), {
    ok: false,
    reason: "missing_headers",
  });
  assertEquals(await verifyOpenRouterCallback(secret, "v1=abc", body, now), {
    ok: false,
    reason: "missing_headers",
  });
});

Deno.test("verifyStaticSecret compares the Broadcast header", () => {
  assertEquals(verifyStaticSecret("s3cret-value", "s3cret-value"), { ok: true });
  assertEquals(verifyStaticSecret("s3cret-value", "s3cret-valuf"), {
    ok: false,
    reason: "mismatch",
  });
  assertEquals(verifyStaticSecret("s3cret-value", null), { ok: false, reason: "missing_headers" });
  assertEquals(verifyStaticSecret("", "x"), { ok: false, reason: "bad_secret" });
});
