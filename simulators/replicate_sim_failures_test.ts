import Replicate from "replicate";
import { assertEquals, assertMatch, assertOk, assertRejects } from "../tests/support/assert.ts";
import { startReplicateSim } from "./replicate_sim.ts";
import { generateWebhookSecret } from "./standard_webhooks.ts";
import { startWebhookReceiver } from "./webhook_receiver.ts";
import { VERSION, waitTerminal, withSim } from "./replicate_sim_fixtures.ts";

Deno.test({
  name:
    "replicate sim: 401 on a wrong token; 429 is retried by the SDK (no delay), 500 on create is not",
  // replicate@1.4 never reads the bodies of the 429 responses it retries, which Deno reports
  // as leaked response bodies: an SDK quirk, not the simulator's.
  sanitizeResources: false,
}, async () => {
  await withSim(async ({ sim, replicate }) => {
    const bad = new Replicate({ auth: "r8_wrong", baseUrl: sim.baseUrl });
    const unauth = await assertRejects(() => bad.predictions.get("abc")) as Error & {
      response: Response;
    };
    assertEquals(unauth.response.status, 401);
    assertMatch(unauth.message, /valid authentication token/);

    // fail_first 2: the SDK retries POST on 429 by itself, so the caller just sees success.
    const ok = await replicate.predictions.create({
      version: VERSION,
      input: { prompt: '[[sim:{"create_status":429,"retry_after":1,"fail_first":2}]] a' },
    });
    assertEquals(ok.status, "starting");
    assertEquals(sim.submissions().map((s) => s.status), [429, 429, 201]);

    // Always 429: 1 + 5 retries, then an ApiError carrying the response.
    sim.reset();
    const started = Date.now();
    const limited = await assertRejects(() =>
      replicate.predictions.create({
        version: VERSION,
        input: { prompt: '[[sim:{"create_status":429,"retry_after":30}]] b' },
      })
    ) as Error & { response: Response };
    assertEquals(limited.response.status, 429);
    assertEquals(limited.response.headers.get("retry-after"), "30");
    assertMatch(limited.message, /Request was throttled/);
    assertEquals(sim.submissions().length, 6);
    assertOk(Date.now() - started < 5_000, "the SDK ignored Retry-After: 30");

    sim.reset();
    const boom = await assertRejects(() =>
      replicate.predictions.create({
        version: VERSION,
        input: { prompt: '[[sim:{"create_status":503}]] c' },
      })
    ) as Error & { response: Response };
    assertEquals(boom.response.status, 503);
    assertEquals(sim.submissions().length, 1, "POSTs are not retried on 5xx");
  });
});

Deno.test("replicate sim: a hung create times out on the client and stop() still returns", async () => {
  const sim = startReplicateSim({ token: "t", webhookSecret: generateWebhookSecret() });
  const replicate = new Replicate({ auth: "t", baseUrl: sim.baseUrl });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 150);
  try {
    await assertRejects(() =>
      replicate.predictions.create({
        version: VERSION,
        input: { prompt: '[[sim:{"hang":true}]]' },
        signal: abort.signal,
      })
    );
    assertEquals(sim.submissions()[0].status, 0);
  } finally {
    clearTimeout(timer);
    await sim.stop();
  }
});

Deno.test("replicate sim: webhook knobs: duplicate, reorder, drop, retries on non-2xx", async () => {
  await withSim(async ({ replicate }) => {
    // The receiver fails the first two deliveries of `completed`, so it is retried.
    let completedSeen = 0;
    const receiver = startWebhookReceiver((_, hook) =>
      hook.json.status === "succeeded" && ++completedSeen <= 2 ? 500 : 200
    );
    try {
      const dup = await replicate.predictions.create({
        version: VERSION,
        input: { prompt: '[[sim:{"webhook":{"duplicate":1}}]] dup' },
        webhook: receiver.url,
        webhook_events_filter: ["start", "completed"],
      });
      const hooks = await receiver.waitFor((all) =>
        all.filter((h) => h.json.status === "succeeded").length === 4
      );
      const ids = hooks.filter((h) => h.json.id === dup.id).map((h) => h.headers["webhook-id"]);
      // start ×2 (duplicate), completed: 500, 500, 200, then its duplicate.
      assertEquals(ids, [
        `msg_${dup.id}_start`,
        `msg_${dup.id}_start`,
        ...Array(4).fill(`msg_${dup.id}_completed`),
      ]);

      receiver.received.length = 0;
      const re = await replicate.predictions.create({
        version: VERSION,
        input: { prompt: '[[sim:{"webhook":{"reorder":1}}]] re' },
        webhook: receiver.url,
      });
      await receiver.waitFor((all) => all.length === 4);
      const events = receiver.received.map((h) => h.headers["webhook-id"].split("_").pop());
      assertEquals(events, ["logs", "start", "completed", "output"]);
      assertEquals((await waitTerminal(replicate, re.id)).status, "succeeded");

      receiver.received.length = 0;
      const dropped = await replicate.predictions.create({
        version: VERSION,
        input: { prompt: '[[sim:{"webhook":{"drop":true}}]] drop' },
        webhook: receiver.url,
      });
      await waitTerminal(replicate, dropped.id);
      await new Promise((r) => setTimeout(r, 50));
      assertEquals(receiver.received.some((h) => h.json.status === "succeeded"), false);
    } finally {
      await receiver.stop();
    }
  });
});
