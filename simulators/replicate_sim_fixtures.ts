/** Shared pieces of the Replicate simulator's tests: a sim with an SDK client, an independent
 * webhook check, and small readers. Test-only. */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import Replicate from "replicate";
import { startReplicateSim } from "./replicate_sim.ts";
import { generateWebhookSecret } from "./standard_webhooks.ts";
import type { ReceivedWebhook } from "./webhook_receiver.ts";

/** A prediction as the SDK returns it. */
export type Prediction = Awaited<ReturnType<Replicate["predictions"]["get"]>>;

/** A version hash in Replicate's format. */
export const VERSION = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";

/** Runs `fn` with a fresh simulator and an SDK client pointed at it. */
export async function withSim(
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
export function verify(hook: ReceivedWebhook, secret: string): boolean {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": sig } = hook.headers;
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${hook.body}`).digest();
  return sig.split(" ").some((s) => {
    const given = Buffer.from(s.replace(/^v1,/, ""), "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Polls until the prediction reaches a terminal status. */
export async function waitTerminal(replicate: Replicate, id: string): Promise<Prediction> {
  for (let i = 0; i < 200; i++) {
    const p = await replicate.predictions.get(id);
    if (["succeeded", "failed", "canceled", "aborted"].includes(p.status)) return p;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("prediction never finished");
}

/** Width and height from a PNG's IHDR chunk. */
export function ihdrSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}
