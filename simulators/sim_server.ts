/**
 * The HTTP plumbing both simulators share: a Deno.serve on a free loopback port, JSON
 * answers, timers that stop() cancels, and "hang" requests that stop() releases (so a test
 * that leaves a hung call behind still shuts down).
 */

/** A running simulator server. */
export interface SimServer {
  /** `http://<host>:<port>` */
  url: string;
  port: number;
  /** Resolves when the client gives up or the server stops; use it to hang a request. */
  hang(req: Request): Promise<Response>;
  /** Runs `fn` after `ms` unless the server stops first. */
  later(ms: number, fn: () => void): void;
  /** Sleeps `ms`, ending early (with false) when the server stops. */
  sleep(ms: number): Promise<boolean>;
  readonly stopping: boolean;
  /** Cancels timers, releases hung requests, then closes the listener. */
  stop(beforeClose?: () => Promise<void>): Promise<void>;
}

/** Starts `handler` on `hostname:port` (port 0 = a free one). */
export function startSimServer(
  opts: { hostname?: string; port?: number },
  handler: (req: Request, server: SimServer) => Promise<Response>,
): SimServer {
  const stopController = new AbortController();
  const timers = new Set<number>();
  const hostname = opts.hostname ?? "127.0.0.1";

  const sim: SimServer = {
    url: "",
    port: 0,
    get stopping() {
      return stopController.signal.aborted;
    },
    hang(req) {
      return new Promise((resolve) => {
        const done = () => resolve(new Response(null, { status: 504 }));
        if (stopController.signal.aborted || req.signal.aborted) return done();
        req.signal.addEventListener("abort", done, { once: true });
        stopController.signal.addEventListener("abort", done, { once: true });
      });
    },
    later(ms, fn) {
      if (stopController.signal.aborted) return;
      const id = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      timers.add(id);
    },
    sleep(ms) {
      if (ms <= 0) return Promise.resolve(!stopController.signal.aborted);
      return new Promise((resolve) => {
        if (stopController.signal.aborted) return resolve(false);
        const id = setTimeout(() => {
          timers.delete(id);
          stopController.signal.removeEventListener("abort", onStop);
          resolve(true);
        }, ms);
        const onStop = () => {
          clearTimeout(id);
          timers.delete(id);
          resolve(false);
        };
        timers.add(id);
        stopController.signal.addEventListener("abort", onStop, { once: true });
      });
    },
    async stop(beforeClose) {
      if (stopController.signal.aborted) return;
      stopController.abort();
      for (const id of timers) clearTimeout(id);
      timers.clear();
      await beforeClose?.();
      await server.shutdown();
    },
  };

  // Declared after `sim`: its stop() only runs once the server exists.
  const server = Deno.serve({ hostname, port: opts.port ?? 0, onListen: () => {} }, async (req) => {
    try {
      return await handler(req, sim);
    } catch (err) {
      return json(500, { detail: err instanceof Error ? err.message : String(err) });
    }
  });
  sim.port = server.addr.port;
  sim.url = `http://${hostname}:${sim.port}`;
  return sim;
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** The Bearer token of a request, if any. */
export function bearer(req: Request): string | undefined {
  const m = req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i);
  return m?.[1]?.trim();
}

/** A random lowercase id of `n` base32 characters (Replicate's id alphabet). */
export function randomId(n = 26): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  return Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => alphabet[b % 32]).join("");
}

/** Reads a JSON object body; undefined when it is not one. */
export async function readJson(req: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const body = await req.json();
    return body && typeof body === "object" && !Array.isArray(body) ? body : undefined;
  } catch {
    return undefined;
  }
}
