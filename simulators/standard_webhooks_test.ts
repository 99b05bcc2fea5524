import { createHmac } from "node:crypto";
import { assertEquals, assertMatch } from "../tests/support/assert.ts";
import {
  generateWebhookSecret,
  signOpenRouterCallback,
  standardWebhookHeaders,
} from "./standard_webhooks.ts";

Deno.test("standardWebhookHeaders reproduces the Standard Webhooks / Replicate test vector", async () => {
  const headers = await standardWebhookHeaders({
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
  });
  assertEquals(headers, {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  });
});

Deno.test("generateWebhookSecret is whsec_ + base64 of 32 bytes", () => {
  const secret = generateWebhookSecret();
  assertMatch(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assertEquals(atob(secret.slice(6)).length, 32);
  assertEquals(generateWebhookSecret() === secret, false);
});

Deno.test("signOpenRouterCallback: t=<ts>,v1=<hex HMAC over '<ts>,<body>'>", async () => {
  const body = '{"type":"video.generation.completed"}';
  const header = await signOpenRouterCallback(
    "s3cret",
    "1700000000",
    new TextEncoder().encode(body),
  );
  const expected = createHmac("sha256", "s3cret").update(`1700000000,${body}`).digest("hex");
  assertEquals(header, `t=1700000000,v1=${expected}`);
});
