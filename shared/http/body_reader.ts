/**
 * The one place request bodies are read. Every body is counted while it arrives, with or
 * without Content-Length (chunked), and refused with a 413 past the function's cap; what is kept
 * is one set of bytes that Hono's body methods, the route validators and webhook signature
 * checks all share. JSON is parsed once, safely ({@link parseJsonBytes}), when first asked for.
 */
import { concatBytes } from "../encoding.ts";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../errors.ts";
import type { HonoEnv } from "./context.ts";
import { parseJsonBytes } from "./safe_json.ts";

/** Options for {@link bodyReader}. */
export interface BodyReaderOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Bytes of a refused body still read and discarded before the 413. @default 4 MiB */
  drainBytes?: number;
}

const tooLarge = (maxBytes: number) =>
  new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${maxBytes} bytes`);

/**
 * Reads a body to the end, counting bytes as they arrive.
 * @throws AppError PAYLOAD_TOO_LARGE past `maxBytes` (declared or counted), after discarding
 * up to `drainBytes` so the client reads the 413 instead of a connection reset mid-upload.
 */
export async function readCappedBody(
  req: Request,
  opts: BodyReaderOptions,
): Promise<Uint8Array> {
  if (req.body === null) return new Uint8Array(0);
  const drainBytes = opts.drainBytes ?? 4 * 1024 * 1024;
  const declared = Number(req.headers.get("content-length") ?? NaN);
  const chunked = req.headers.has("transfer-encoding");
  if (!chunked && declared > opts.maxBytes) {
    await discard(req.body.getReader(), drainBytes);
    throw tooLarge(opts.maxBytes);
  }
  if (!chunked && declared >= 0) {
    // A declared length within the cap: the server (hyper) delivers no more than it declares, so
    // the body is read in one piece, which costs about half the CPU of a chunk-by-chunk read. The
    // size is checked again all the same, for requests built in-process.
    const bytes = await cutOffIsBadRequest(req.bytes());
    if (bytes.byteLength > opts.maxBytes) throw tooLarge(opts.maxBytes);
    return bytes;
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > opts.maxBytes) {
        await discard(reader, drainBytes - size);
        throw tooLarge(opts.maxBytes);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw cutOff(err);
  }
  return concatBytes(chunks);
}

// The client went away mid-upload; nobody will read the answer, but it must not be a 500.
const cutOff = (cause: unknown) =>
  new AppError("BAD_REQUEST", "Request body was cut off", { cause });

async function cutOffIsBadRequest(read: Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return await read;
  } catch (err) {
    throw cutOff(err);
  }
}

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number) {
  let seen = 0;
  try {
    while (seen < maxBytes) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away; nothing to drain.
  }
}

/**
 * Middleware that reads every request body with {@link readCappedBody} before any route runs.
 * Afterwards Hono's body methods (`c.req.arrayBuffer()`, `text()`, ...) answer from the kept
 * bytes (its documented `bodyCache`), {@link requestBytes} returns them without a copy, and
 * `c.req.json()`, which the zod-openapi validators call, returns the {@link parseJsonBytes}
 * result, computed once. `c.req.raw` stays the connection's request (its body spent): a copy of
 * it would cost a second request object and a dependent abort signal per request, and routes
 * that stream read `c.req.raw.signal` to hear the client leave.
 */
export function bodyReader(opts: BodyReaderOptions): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    if (c.req.raw.body === null) return await next();
    const bytes = await readCappedBody(c.req.raw, opts);
    c.set("requestBody", bytes);
    // Hono keeps promises in bodyCache (its typings say values) and derives text() etc. from it.
    (c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer> }).arrayBuffer = Promise.resolve(
      exactBuffer(bytes),
    );
    let parsed: Promise<unknown> | undefined;
    c.req.json =
      (() =>
        parsed ??= Promise.resolve().then(() => parseJsonBytes(bytes)).catch((err) => {
          c.set("bodyError", err);
          throw err;
        })) as typeof c.req.json;
    await next();
  };
}

/** The bytes as an ArrayBuffer of their own length (a view's buffer may be larger). */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.slice().buffer as ArrayBuffer;
}

/** The body bytes {@link bodyReader} kept (empty when the request had none). */
export function requestBytes(c: Context<HonoEnv>): Uint8Array {
  return c.get("requestBody") ?? new Uint8Array(0);
}

/**
 * The error to answer with. Hono's JSON validator turns any failure of `c.req.json()` into a
 * bare "Malformed JSON" 400; when the safe parse failed, its own error says which field and why.
 */
export function preferBodyError(c: Context<HonoEnv>, err: unknown): unknown {
  const bodyError = c.get("bodyError");
  return bodyError && err instanceof HTTPException && err.status === 400 ? bodyError : err;
}
