import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import Replicate, { validateWebhook } from "replicate";
import { assertEquals, assertMatch, assertOk, assertRejects } from "../assert.ts";
import { startReplicateSim } from "./replicate_sim.ts";
import { generateWebhookSecret } from "./standard_webhooks.ts";
import { type ReceivedWebhook, startWebhookReceiver } from "./webhook_receiver.ts";

type Prediction = Awaited<ReturnType<Replicate["predictions"]["get"]>>;

const VERSION = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";

async function withSim(
  fn: (ctx: { sim: ReturnType<typeof startReplicateSim>; replicate: Replicate }) => Promise<void>,
) {
  const sim = startReplicateSim({
    token: `r8_${crypto.randomUUID()}`,
    webhookSecret: generateWebhookSecret(),
    latencyMs: 10,
  });
  try {
    await fn({ sim, replicate: new Replicate({ auth: sim.token, baseUrl: sim.baseUrl }) });
  } finally {
    await sim.stop();
  }
}

/** An independent Standard Webhooks check (node:crypto, not the simulator's signer). */
function verify(hook: ReceivedWebhook, secret: string): boolean {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": sig } = hook.headers;
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${hook.body}`).digest();
  return sig.split(" ").some((s) => {
    const given = Buffer.from(s.replace(/^v1,/, ""), "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function waitTerminal(replicate: Replicate, id: string): Promise<Prediction> {
  for (let i = 0; i < 200; i++) {
    const p = await replicate.predictions.get(id);
    if (["succeeded", "failed", "canceled", "aborted"].includes(p.status)) return p;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("prediction never finished");
}

function ihdrSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

Deno.test("replicate sim: create by version, signed webhooks for every event, real PNG outputs", async () => {
  await withSim(async ({ sim, replicate }) => {
    const receiver = startWebhookReceiver();
    try {
      const created = await replicate.predictions.create({
        version: VERSION,
        input: { prompt: "a red fox", width: 640, height: 384, num_outputs: 2 },
        webhook: receiver.url,
      });
      assertEquals(created.status, "starting");
      assertEquals(created.version, VERSION);
      assertEquals(created.urls.get, `${sim.baseUrl}/predictions/${created.id}`);
      const hooks = await receiver.waitFor((all) => all.some((h) => h.json.status === "succeeded"));
      assertEquals(hooks.map((h) => h.headers["webhook-id"]), [
        `msg_${created.id}_start`,
        `msg_${created.id}_logs`,
        `msg_${created.id}_output`,
        `msg_${created.id}_completed`,
      ]);
      for (const hook of hooks) {
        assertOk(verify(hook, sim.webhookSecret), "independent HMAC check");
        assertOk(
          await validateWebhook({
            id: hook.headers["webhook-id"],
            timestamp: hook.headers["webhook-timestamp"],
            signature: hook.headers["webhook-signature"],
            body: hook.body,
            secret: sim.webhookSecret,
          }),
          "the SDK's validateWebhook agrees",
        );
      }
      assertEquals(verify({ ...hooks[0], body: hooks[0].body + " " }, sim.webhookSecret), false);

      const done = await replicate.predictions.get(created.id);
      assertEquals(done.status, "succeeded");
      assertEquals(hooks[3].json, done as unknown as Record<string, unknown>);
      const output = done.output as string[];
      assertEquals(output.length, 2);
      assertMatch(
        output[0],
        new RegExp(`^http://127\\.0\\.0\\.1:\\d+/files/${created.id}/0\\.png$`),
      );
      const png = new Uint8Array(await (await fetch(output[1])).arrayBuffer());
      assertEquals([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
      assertEquals(ihdrSize(png), [640, 384]);
      assertOk(typeof done.metrics?.predict_time === "number");

      const log = await (await fetch(`${sim.controlUrl}/submissions`)).json();
      assertEquals(log.length, 1);
      assertEquals(log[0].id, created.id);
      assertEquals(log[0].version, VERSION);
      assertEquals(log[0].input.prompt, "a red fox");
    } finally {
      await receiver.stop();
    }
  });
});

Deno.test("replicate sim: create by model (video), MP4 output of the input duration; output shapes", async () => {
  await withSim(async ({ sim, replicate }) => {
    const video = await replicate.predictions.create({
      model: "sim/video-model",
      input: { prompt: "waves", duration: 3 },
    });
    assertEquals(video.model, "sim/video-model");
    assertMatch(video.version, /^[0-9a-f]{64}$/);
    const done = await waitTerminal(replicate, video.id);
    assertEquals(typeof done.output, "string");
    const mp4 = new Uint8Array(await (await fetch(done.output as string)).arrayBuffer());
    assertEquals(new TextDecoder().decode(mp4.subarray(4, 8)), "ftyp");
    const mvhdAt = mp4.findIndex((_, i) =>
      new TextDecoder().decode(mp4.subarray(i, i + 4)) === "mvhd"
    );
    const mvhd = new DataView(mp4.buffer, mvhdAt + 4);
    assertEquals(mvhd.getUint32(16) / mvhd.getUint32(12), 3);

    const marker = btoa(JSON.stringify({ output_shape: "object", outputs: 3 }))
      .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const obj = await replicate.predictions.create({
      model: `sim/flux-sim:${marker}`,
      input: { prompt: "three cats" },
    });
    const objDone = await waitTerminal(replicate, obj.id);
    assertEquals(Object.keys(objDone.output as object), ["images"]);
    assertEquals((objDone.output as { images: string[] }).images.length, 3);

    const str = await replicate.predictions.create({
      version: VERSION,
      input: { prompt: 'one dog [[sim:{"output_shape":"string"}]]' },
    });
    assertMatch((await waitTerminal(replicate, str.id)).output as string, /\/0\.png$/);
    assertEquals(sim.submissions().length, 3);
  });
});

Deno.test("replicate sim: failed outcome, cancel, Prefer: wait", async () => {
  await withSim(async ({ replicate }) => {
    const failed = await replicate.predictions.create({
      version: VERSION,
      input: { prompt: '[[sim:{"outcome":"failed","error":"NSFW content detected"}]]' },
    });
    const f = await waitTerminal(replicate, failed.id);
    assertEquals([f.status, f.error, f.output], ["failed", "NSFW content detected", null]);

    const receiver = startWebhookReceiver();
    try {
      const slow = await replicate.predictions.create({
        version: VERSION,
        input: { prompt: '[[sim:{"delay_ms":5000}]] slow' },
        webhook: receiver.url,
        webhook_events_filter: ["completed"],
      });
      const canceled = await replicate.predictions.cancel(slow.id);
      assertEquals(canceled.status, "canceled");
      const hooks = await receiver.waitFor((all) => all.length === 1);
      assertEquals(hooks[0].json.status, "canceled");
      assertEquals((await replicate.predictions.get(slow.id)).status, "canceled");
    } finally {
      await receiver.stop();
    }

    const waited = await replicate.predictions.create({
      version: VERSION,
      input: { prompt: "quick" },
      wait: 5,
    });
    assertEquals(waited.status, "succeeded", "Prefer: wait=5 held the call until done");
  });
});

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
