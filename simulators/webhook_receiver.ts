/**
 * A local webhook receiver for simulator tests: records every delivery (headers and raw
 * body) and answers with a status chosen per delivery (to exercise retries).
 */

/** One received delivery. */
export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
  at: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves with the deliveries once `pred` holds for them (rejects after `timeoutMs`). */
  waitFor(
    pred: (all: ReceivedWebhook[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedWebhook[]>;
  stop(): Promise<void>;
}

/** Starts a receiver on a free port; `status(n, hook)` picks the answer to the n-th delivery. */
export function startWebhookReceiver(
  status: (n: number, hook: ReceivedWebhook) => number = () => 200,
): WebhookReceiver {
  const received: ReceivedWebhook[] = [];
  let n = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    const hook = {
      headers: Object.fromEntries(req.headers),
      body,
      json: JSON.parse(body || "{}"),
      at: Date.now(),
    };
    received.push(hook);
    return new Response(null, { status: status(++n, hook) });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    received,
    async waitFor(pred, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `webhooks not as expected: ${JSON.stringify(received.map((r) => r.json))}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return received;
    },
    stop: () => server.shutdown(),
  };
}
