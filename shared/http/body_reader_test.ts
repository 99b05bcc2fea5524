import { assertEquals, assertRejects } from "../../tests/support/assert.ts";
import { AppError } from "../errors.ts";
import { Hono } from "hono";
import { bodyReader, readCappedBody, requestBytes } from "./body_reader.ts";
import type { HonoEnv } from "./context.ts";

/** A stream of `chunks` chunks of `size` bytes that counts how many were pulled. */
function counted(chunks: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (state.pulled === chunks) return ctrl.close();
      state.pulled++;
      ctrl.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { body, state };
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://x.test/", { method: "POST", body, headers });

Deno.test("a body up to the cap comes back whole, however it was chunked", async () => {
  const { body } = counted(10, 100);
  const bytes = await readCappedBody(post(body), { maxBytes: 1000 });
  assertEquals([bytes.byteLength, bytes[0], bytes[999]], [1000, 0x61, 0x61]);
  assertEquals((await readCappedBody(new Request("http://x.test/"), { maxBytes: 10 })).length, 0);
});

Deno.test("a streamed body past the cap is a 413 after a bounded drain", async () => {
  const { body, state } = counted(100, 100);
  const err = await assertRejects(
    () => readCappedBody(post(body), { maxBytes: 1000, drainBytes: 3000 }),
    AppError,
  );
  assertEquals([(err as AppError).code, (err as AppError).status], ["PAYLOAD_TOO_LARGE", 413]);
  // Read up to the drain bound (30 chunks), then the rest is cancelled, not read.
  assertEquals([state.pulled, state.cancelled], [30, true]);
});

Deno.test("a declared Content-Length past the cap is refused before the body is kept", async () => {
  const { body, state } = counted(3, 10);
  await assertRejects(
    () => readCappedBody(post(body, { "content-length": "5000" }), { maxBytes: 1000 }),
    AppError,
  );
  // Drained (the client gets its answer), nothing buffered.
  assertEquals(state.pulled, 3);
});

Deno.test("a body cut off mid-upload is a 400, not a 500", async () => {
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      ctrl.error(new TypeError("connection reset"));
    },
  });
  const err = await assertRejects(() => readCappedBody(post(body), { maxBytes: 1000 }), AppError);
  assertEquals((err as AppError).code, "BAD_REQUEST");
});

Deno.test("a declared length within the cap is read whole, and still checked against the cap", async () => {
  const bytes = await readCappedBody(post("x".repeat(500), { "content-length": "500" }), {
    maxBytes: 1000,
  });
  assertEquals(bytes.byteLength, 500);
  // A request built in-process can carry more than it declares (a server connection cannot).
  const { body } = counted(30, 100);
  const err = await assertRejects(
    () => readCappedBody(post(body, { "content-length": "900" }), { maxBytes: 1000 }),
    AppError,
  );
  assertEquals((err as AppError).code, "PAYLOAD_TOO_LARGE");
  const broken = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      ctrl.error(new TypeError("connection reset"));
    },
  });
  const cut = await assertRejects(
    () => readCappedBody(post(broken, { "content-length": "10" }), { maxBytes: 1000 }),
    AppError,
  );
  assertEquals((cut as AppError).code, "BAD_REQUEST");
});

Deno.test("after the middleware, Hono's body methods share the kept bytes and raw is the connection's request", async () => {
  const app = new Hono<HonoEnv>();
  app.use(bodyReader({ maxBytes: 1000 }));
  const original = post(JSON.stringify({ a: "é" }), { "content-type": "application/json" });
  app.post("/", async (c) => {
    const [text, json, buf] = [await c.req.text(), await c.req.json(), await c.req.arrayBuffer()];
    return c.json({
      text,
      json,
      bytes: buf.byteLength,
      kept: requestBytes(c).byteLength,
      same: c.req.raw === original,
      signal: c.req.raw.signal instanceof AbortSignal,
    });
  });
  const res = await app.request(original);
  assertEquals(await res.json(), {
    text: '{"a":"é"}',
    json: { a: "é" },
    bytes: 10,
    kept: 10,
    same: true,
    signal: true,
  });
});
