import { validateWebhook } from "replicate";
import { assertEquals, assertMatch, assertOk } from "../tests/support/assert.ts";
import { startWebhookReceiver } from "./webhook_receiver.ts";
import { ihdrSize, verify, VERSION, waitTerminal, withSim } from "./replicate_sim_fixtures.ts";

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
