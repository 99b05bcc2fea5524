/**
 * The local API gateway on one port, routing like Supabase's: `/functions/v1/<name>/...`
 * reaches function `<name>` as `/<name>/...`. Other prefixes (`/storage/v1`) are mounted by
 * the caller. Bodies stream both ways (SSE passes through).
 */

/** A handler for a mounted prefix. */
export type Mount = (req: Request, path: string) => Promise<Response>;

/** Options for {@link startGateway}. */
export interface GatewayOptions {
  port: number;
  functions: Record<string, number>;
  mounts?: Record<string, Mount>;
}

const notFound = (message: string) =>
  new Response(JSON.stringify({ code: "NOT_FOUND", message }), {
    status: 404,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });

/** Starts the gateway. */
export function startGateway(opts: GatewayOptions): Deno.HttpServer {
  return Deno.serve(
    { port: opts.port, hostname: "127.0.0.1", onListen: () => {} },
    async (req, info) => {
      const url = new URL(req.url);
      for (const [prefix, mount] of Object.entries(opts.mounts ?? {})) {
        if (url.pathname.startsWith(prefix)) {
          return await mount(
            req,
            url.pathname.slice(prefix.length),
          );
        }
      }
      const match = url.pathname.match(/^\/functions\/v1\/([a-z0-9-]+)(\/.*)?$/);
      if (!match) return notFound("Route not found");
      const port = opts.functions[match[1]];
      if (!port) return notFound("Requested function was not found");
      const headers = new Headers(req.headers);
      headers.set("x-forwarded-for", (info.remoteAddr as Deno.NetAddr).hostname);
      headers.set("x-forwarded-host", url.host);
      try {
        return await fetch(`http://127.0.0.1:${port}/${match[1]}${match[2] ?? ""}${url.search}`, {
          method: req.method,
          headers,
          body: req.body,
          redirect: "manual",
          // @ts-ignore: Deno's fetch accepts duplex for streamed request bodies
          duplex: "half",
        });
      } catch {
        return new Response(
          JSON.stringify({ code: "BOOT_ERROR", message: "Function failed to respond" }),
          {
            status: 503,
            headers: { "content-type": "application/json" },
          },
        );
      }
    },
  );
}
