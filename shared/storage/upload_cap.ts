/**
 * Byte counting for streamed uploads. Storage never checks the size of an upload sent without
 * Content-Length (storage-fidelity D1), so a stream is cut off here once it passes the bucket's
 * limit: the request fails mid-body and Storage keeps nothing.
 */
import { ObjectStoreError } from "./storage_errors.ts";

/** A stream that errors past `limit` bytes, and whether that is why it ended. */
export interface CappedStream {
  stream: ReadableStream<Uint8Array>;
  /** True once the source passed the limit (the upload's failure is then `too_large`). */
  exceeded(): boolean;
  /** Bytes that went through. */
  count(): number;
}

/** Wraps `body` so that it carries at most `limit` bytes. */
export function capStream(body: ReadableStream<Uint8Array>, limit: number, what: string) {
  let count = 0;
  let over = false;
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        count += chunk.byteLength;
        if (count > limit) {
          over = true;
          controller.error(
            new ObjectStoreError("too_large", `${what}: more than ${limit} bytes streamed`),
          );
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return { stream, exceeded: () => over, count: () => count } satisfies CappedStream;
}
