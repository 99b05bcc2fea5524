/**
 * The local API gateway on one port, routing like Supabase's: `/functions/v1/<name>/...`
 * reaches function `<name>` as `/<name>/...`. Other prefixes (`/storage/v1`) are mounted by
 * the caller. Responses stream (SSE passes through); request bodies are forwarded whole when
 * small and sized, streamed otherwise. A function that does not answer (down, restarting, failed
 * to boot) gets our 503 envelope with `Retry-After` and CORS, as the function itself would send,
 * so clients back off instead of failing on a bare body.
 */
import { corsHeaders } from "../../shared/http/cors.ts";

/** A handler for a mounted prefix. */
export type Mount = (req: Request, path: string) => Promise<Response>;

/** Options for {@link startGateway}. */
export interface GatewayOptions {
  port: number;
  functions: Record<string, number>;
  mounts?: Record<string, Mount>;
  /** Seconds to put in `Retry-After` when a function does not answer (default 1). */
  retryAfterSeconds?: (name: string) => number;
  /** The functions' `CORS_ALLOWED_ORIGINS`, parsed; default `*` like theirs. */
  corsOrigins?: "*" | string[];
}

// The functions' own rule for a caller's x-request-id (shared/http/create_app.ts).
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * What a function's own middleware would answer had it been up: a 204 preflight (so a browser
 * goes on to the real request and can read the 503), or the UNAVAILABLE envelope.
 */
function unavailable(req: Request, name: string, retryAfter: number, origins: "*" | string[]) {
  const incoming = req.headers.get("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  const headers = new Headers({
    ...corsHeaders(req.headers.get("origin"), { allowedOrigins: origins }),
    "x-request-id": requestId,
  });
  if (req.method === "OPTIONS") return new Response(null, { status: 204, headers });
  headers.set("content-type", "application/json; charset=utf-8");
  headers.set("retry-after", String(retryAfter));
  const error = {
    code: "UNAVAILABLE",
    message: `Function ${name} is not running; it is being restarted, retry shortly`,
    request_id: requestId,
  };
  return new Response(JSON.stringify({ error }), { status: 503, headers });
}

const FUNCTION_PATH = /^\/functions\/v1\/([a-z0-9-]+)(\/.*)?$/;

const notFound = (message: string) =>
  new Response(JSON.stringify({ code: "NOT_FOUND", message }), {
    status: 404,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });

const badRequest = (message: string) =>
  new Response(JSON.stringify({ code: "BAD_REQUEST", message }), {
    status: 400,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });

/** The path of a request URL exactly as the client sent it (no dot-segment resolution). */
export function rawPathname(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}

/**
 * Request bodies up to this size with a Content-Length are read whole and sent as bytes. A
 * streamed request body makes Deno's fetch send the headers and the body in separate chunked
 * writes, and the function reads it in pieces: measured on POST /queue-job at one client, about
 * 8 ms added per request, against well under a millisecond for a request without a body. Larger
 * or unsized bodies still stream.
 */
const BUFFERED_BODY_MAX = 1024 * 1024;

/** The body to forward: bytes for a small sized body, the stream otherwise, none for none. */
async function forwardBody(req: Request): Promise<BodyInit | null> {
  if (!req.body) return null;
  const length = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isInteger(length) && length <= BUFFERED_BODY_MAX) {
    return new Uint8Array(await req.arrayBuffer());
  }
  return req.body;
}

/** Starts the gateway. */
export function startGateway(opts: GatewayOptions): Deno.HttpServer {
  const mounts = Object.entries(opts.mounts ?? {});
  return Deno.serve(
    { port: opts.port, hostname: "127.0.0.1", onListen: () => {} },
    async (req, info) => {
      const url = new URL(req.url);
      // Mounts get the path as sent: URL parsing would resolve `a/x/../y.png` to `a/y.png`,
      // which Storage itself refuses as an invalid key instead.
      const raw = rawPathname(req.url);
      for (const [prefix, mount] of mounts) {
        if (raw.startsWith(prefix)) return await mount(req, raw.slice(prefix.length));
      }
      const match = FUNCTION_PATH.exec(url.pathname);
      if (!match) return notFound("Route not found");
      const port = opts.functions[match[1]];
      if (!port) return notFound("Requested function was not found");
      const headers = new Headers(req.headers);
      headers.set("x-forwarded-for", (info.remoteAddr as Deno.NetAddr).hostname);
      headers.set("x-forwarded-host", url.host);
      let body: BodyInit | null;
      try {
        body = await forwardBody(req);
      } catch {
        // The client sent less than its Content-Length, or left mid-upload: nobody is there to
        // read an answer, but the gateway answers as a platform would, without a stack trace.
        return badRequest("Request body was cut off");
      }
      try {
        const init: RequestInit & { duplex: "half" } = {
          method: req.method,
          headers,
          body,
          redirect: "manual",
          // A client that leaves is seen by the function too (a streamed chat reply stops).
          signal: req.signal,
          // Required by fetch for a streamed request body.
          duplex: "half",
        };
        return await fetch(
          `http://127.0.0.1:${port}/${match[1]}${match[2] ?? ""}${url.search}`,
          init,
        );
      } catch {
        // Connection refused or reset before any response: the process is not there (yet).
        if (body instanceof ReadableStream) await body.cancel().catch(() => {});
        const retryAfter = opts.retryAfterSeconds?.(match[1]) ?? 1;
        return unavailable(req, match[1], retryAfter, opts.corsOrigins ?? "*");
      }
    },
  );
}
