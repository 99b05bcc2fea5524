// Scenario 4 anchor: a bare Hono route that only verifies the Standard Webhooks signature
// (the project's verifier) and answers, with no database, download or storage.
import { Hono } from "hono";
import { verifyStandardWebhook } from "../../shared/providers/webhook_signatures.ts";

const secret = Deno.env.get("REPLICATE_WEBHOOK_SECRET")!;
const app = new Hono();
app.post("/provider-webhooks/replicate", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  const verdict = await verifyStandardWebhook(
    secret,
    c.req.raw.headers,
    body,
    Math.floor(Date.now() / 1000),
  );
  return verdict.ok ? c.json({ status: "verified" }) : c.json({ status: "refused" }, 401);
});
app.get("/provider-webhooks/health", (c) => c.json({ status: "ok" }));
Deno.serve({
  port: Number(Deno.env.get("PORT")),
  hostname: "127.0.0.1",
  onListen: () => {},
}, app.fetch);
