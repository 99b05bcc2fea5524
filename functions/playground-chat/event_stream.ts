/**
 * A server-sent-events answer that starts at once: a comment opens the stream, each event is
 * written as it arrives (never buffered), a keep-alive comment goes out while nothing else does,
 * and a client that goes away aborts `signal` so the producer can stop and keep what was shown.
 */

/** One event on the wire. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** Options for {@link eventStream}. */
export interface EventStreamOptions {
  /** Milliseconds of silence before a keep-alive comment. @default 15000 */
  keepAliveMs?: number;
  /** Aborted when the request's own signal is (the client went away). */
  requestSignal?: AbortSignal;
}

const encoder = new TextEncoder();

/** The SSE framing of one event. */
export function frame(e: SseEvent): Uint8Array {
  return encoder.encode(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
}

/**
 * Streams what `produce` yields. `produce` receives the signal that aborts when the client
 * disconnects; it should stop reading its source then (and finish its own bookkeeping).
 */
export function eventStream(
  produce: (signal: AbortSignal) => AsyncIterable<SseEvent>,
  opts: EventStreamOptions = {},
): Response {
  const gone = new AbortController();
  opts.requestSignal?.addEventListener("abort", () => gone.abort(), { once: true });
  let timer: number | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (bytes: Uint8Array) => {
        if (gone.signal.aborted) return;
        try {
          controller.enqueue(bytes);
        } catch {
          gone.abort();
        }
      };
      const keepAlive = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          write(encoder.encode(": keep-alive\n\n"));
          keepAlive();
        }, opts.keepAliveMs ?? 15_000);
      };
      write(encoder.encode(": stream open\n\n"));
      keepAlive();
      try {
        for await (const e of produce(gone.signal)) {
          write(frame(e));
          keepAlive();
        }
      } finally {
        clearTimeout(timer);
        if (!gone.signal.aborted) {
          try {
            controller.close();
          } catch { /* already closed by the client */ }
        }
      }
    },
    cancel() {
      clearTimeout(timer);
      gone.abort();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
