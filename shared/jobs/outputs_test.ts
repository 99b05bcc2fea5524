import { assertEquals, assertOk } from "../../tests/support/assert.ts";
import { pngBytes } from "../../simulators/media/images.ts";
import { fetchOutput, MAX_OUTPUT_BYTES, type OutputSource } from "./outputs.ts";

/** A request as an origin saw it. */
interface Seen {
  path: string;
  authorization: string | null;
}

/** A real HTTP server on 127.0.0.1 that records every request it gets. */
interface Origin {
  port: number;
  requests: Seen[];
  /** This origin's URL under `host` (which must resolve to 127.0.0.1 to reach it). */
  url(host: string, path: string): string;
  close(): Promise<void>;
}

function startOrigin(handle: (req: Request, url: URL) => Response): Origin {
  const requests: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    requests.push({ path: url.pathname, authorization: req.headers.get("authorization") });
    return handle(req, url);
  });
  const port = server.addr.port;
  return {
    port,
    requests,
    url: (host, path) => `http://${host}:${port}${path}`,
    close: () => server.shutdown(),
  };
}

const redirect = (location: string, status = 302) =>
  new Response(null, { status, headers: { location } });

/** Runs `fn`, then stops the origins whatever happened. */
async function withOrigins(
  origins: Origin[],
  fn: () => Promise<void>,
): Promise<void> {
  try {
    await fn();
  } finally {
    await Promise.all(origins.map((o) => o.close()));
  }
}

const png = await pngBytes(8, 8);
const servePng = () => new Response(png, { headers: { "content-type": "image/png" } });

// Both origins listen on 127.0.0.1; `localhost` reaches the same sockets under a host name the
// allowlist below does not hold, so a refusal is the check's doing, never an unreachable host.
const ALLOWED = "127.0.0.1";
const DISALLOWED = "localhost";
const source: OutputSource = { allowedHosts: [ALLOWED] };

Deno.test("fetchOutput never contacts a host that is not allowed, and does fetch an allowed one", async () => {
  const origin = startOrigin(servePng);
  await withOrigins([origin], async () => {
    const refused = await fetchOutput(origin.url(DISALLOWED, "/out.png"), source);
    assertEquals(refused, `host not allowed: ${DISALLOWED}`);
    assertEquals(origin.requests.length, 0);
    // The same server is reachable under that name once the provider allows it.
    const fetched = await fetchOutput(origin.url(DISALLOWED, "/out.png"), {
      allowedHosts: [DISALLOWED],
    });
    assertEquals(fetched, png);
    assertEquals(origin.requests.length, 1);
  });
});

Deno.test("fetchOutput refuses a redirect from an allowed host to a disallowed one without following it", async () => {
  const target = startOrigin(servePng);
  const locations = new Map<string, string>([
    ["/to-host", target.url(DISALLOWED, "/out.png")],
    // The right host, but with credentials smuggled into the URL.
    ["/to-userinfo", target.url(`user:pw@${ALLOWED}`, "/out.png")],
  ]);
  const origin = startOrigin((_req, url) =>
    redirect(locations.get(url.pathname)!, Number(url.searchParams.get("status")))
  );
  await withOrigins([origin, target], async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      assertEquals(
        await fetchOutput(origin.url(ALLOWED, `/to-host?status=${status}`), source),
        `host not allowed: ${DISALLOWED}`,
        `a ${status} to another host is re-checked`,
      );
    }
    assertEquals(
      await fetchOutput(origin.url(ALLOWED, "/to-userinfo?status=302"), source),
      `host not allowed: ${ALLOWED}`,
    );
    assertEquals(origin.requests.length, 6);
    assertEquals(target.requests.length, 0, "the disallowed server saw nothing");
  });
});

Deno.test("fetchOutput follows redirects to allowed hosts, at most three of them", async () => {
  const target = startOrigin(servePng);
  const origin = startOrigin((_req, url) => {
    if (url.pathname === "/elsewhere") return redirect(target.url(ALLOWED, "/out.png"));
    if (url.pathname === "/relative") return redirect("hop/0", 307);
    const hops = Number(url.pathname.match(/^\/hop\/(\d+)$/)?.[1] ?? "-1");
    if (hops > 0) return redirect(`/hop/${hops - 1}`);
    if (hops === 0) return servePng();
    return new Response("not here", { status: 404 });
  });
  await withOrigins([origin, target], async () => {
    assertEquals(await fetchOutput(origin.url(ALLOWED, "/elsewhere"), source), png);
    assertEquals(target.requests.map((r) => r.path), ["/out.png"]);
    assertEquals(await fetchOutput(origin.url(ALLOWED, "/relative"), source), png);

    origin.requests.length = 0;
    assertEquals(await fetchOutput(origin.url(ALLOWED, "/hop/3"), source), png);
    assertEquals(origin.requests.length, 4);
    origin.requests.length = 0;
    assertEquals(await fetchOutput(origin.url(ALLOWED, "/hop/4"), source), "too many redirects");
    assertEquals(origin.requests.length, 4, "the fifth URL is never requested");

    assertEquals(
      await fetchOutput(origin.url(ALLOWED, "/missing"), source),
      "download failed with HTTP 404",
    );
  });
});

Deno.test("fetchOutput refuses a declared Content-Length over the cap without reading the body", async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const origin = startOrigin(() => {
    // A few bytes, then nothing until the test ends: reading this body would hang until the
    // timeout, so only the header can have refused it.
    const body = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(png);
        await released;
        c.close();
      },
    });
    return new Response(body, { headers: { "content-length": String(MAX_OUTPUT_BYTES + 1) } });
  });
  await withOrigins([origin], async () => {
    try {
      const started = Date.now();
      assertEquals(
        await fetchOutput(origin.url(ALLOWED, "/huge.png"), source, 10_000),
        "output too large",
      );
      assertOk(Date.now() - started < 5_000, "refused on the header, not after a timeout");
    } finally {
      release();
    }
  });
});

Deno.test("fetchOutput caps the bytes it reads when no length is declared", async () => {
  const chunk = new Uint8Array(1024 * 1024);
  const origin = startOrigin((_req, url) => {
    const total = Number(url.searchParams.get("bytes"));
    let sent = 0;
    // Streamed without a Content-Length (chunked), so only counting what arrives can stop it.
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= total) return c.close();
        const n = Math.min(chunk.byteLength, total - sent);
        c.enqueue(chunk.subarray(0, n));
        sent += n;
      },
    });
    // A connection whose body the client gave up on can linger in Deno's client pool and hold
    // the server's graceful shutdown for 90 s; closing it after each response avoids that.
    return new Response(body, { headers: { connection: "close" } });
  });
  // The size, not the bytes: a failed assertion would otherwise print a 50 MB array.
  const fetched = async (bytes: number) => {
    const out = await fetchOutput(origin.url(ALLOWED, `/out?bytes=${bytes}`), source);
    return typeof out === "string" ? out : `${out.byteLength} bytes`;
  };
  await withOrigins([origin], async () => {
    assertEquals(await fetched(MAX_OUTPUT_BYTES), `${MAX_OUTPUT_BYTES} bytes`);
    assertEquals(await fetched(MAX_OUTPUT_BYTES + 1), "output too large");
    // An endless body (bounded here at 4x the cap so a broken cap ends the test, not the machine).
    assertEquals(await fetched(4 * MAX_OUTPUT_BYTES), "output too large");
  });
});

Deno.test("fetchOutput sends the provider's key only to its own API base, never after a redirect elsewhere", async () => {
  const files = startOrigin(servePng);
  const api = startOrigin((_req, url) => {
    if (url.pathname === "/v1/videos/1/content") return servePng();
    if (url.pathname === "/v1/videos/2/content") return redirect(files.url(ALLOWED, "/out.png"));
    if (url.pathname === "/v1/videos/3/content") return redirect("/files/out.png");
    if (url.pathname === "/v1/videos/4/content") return redirect("/v1/videos/1/content");
    return servePng();
  });
  const withKey: OutputSource = {
    allowedHosts: [ALLOWED],
    apiBase: api.url(ALLOWED, "/v1"),
    authHeaders: { Authorization: "Bearer sk-test-secret" },
  };
  const auth = (o: Origin) => o.requests.map((r) => [r.path, r.authorization]);
  await withOrigins([api, files], async () => {
    assertEquals(await fetchOutput(api.url(ALLOWED, "/v1/videos/1/content"), withKey), png);
    assertEquals(auth(api), [["/v1/videos/1/content", "Bearer sk-test-secret"]]);

    // The same host outside the API base, including a path that only shares its prefix.
    api.requests.length = 0;
    await fetchOutput(api.url(ALLOWED, "/files/out.png"), withKey);
    await fetchOutput(api.url(ALLOWED, "/v1evil/out.png"), withKey);
    assertEquals(auth(api), [["/files/out.png", null], ["/v1evil/out.png", null]]);

    // A redirect to a file host (allowed for outputs) or elsewhere on the host drops the key.
    api.requests.length = 0;
    assertEquals(await fetchOutput(api.url(ALLOWED, "/v1/videos/2/content"), withKey), png);
    assertEquals(await fetchOutput(api.url(ALLOWED, "/v1/videos/3/content"), withKey), png);
    assertEquals(auth(files), [["/out.png", null]]);
    assertEquals(auth(api), [
      ["/v1/videos/2/content", "Bearer sk-test-secret"],
      ["/v1/videos/3/content", "Bearer sk-test-secret"],
      ["/files/out.png", null],
    ]);

    // Within the API base the key is still the provider's own.
    api.requests.length = 0;
    assertEquals(await fetchOutput(api.url(ALLOWED, "/v1/videos/4/content"), withKey), png);
    assertEquals(auth(api), [
      ["/v1/videos/4/content", "Bearer sk-test-secret"],
      ["/v1/videos/1/content", "Bearer sk-test-secret"],
    ]);

    // Without an API base nothing is ever sent.
    api.requests.length = 0;
    await fetchOutput(api.url(ALLOWED, "/v1/videos/1/content"), {
      allowedHosts: [ALLOWED],
      authHeaders: withKey.authHeaders,
    });
    assertEquals(auth(api), [["/v1/videos/1/content", null]]);
  });
});

Deno.test("fetchOutput decodes base64 data URIs without any request, and refuses malformed ones", async () => {
  const b64 = btoa(String.fromCharCode(...png));
  assertEquals(await fetchOutput(`data:image/png;base64,${b64}`, { allowedHosts: [] }), png);
  assertEquals(
    await fetchOutput("data:image/png;base64,A=B", { allowedHosts: [] }),
    "malformed data URI",
  );
  // Not base64 at all: treated as a URL, and no data: URL is on anyone's allowlist.
  const other = await fetchOutput("data:image/png,raw", { allowedHosts: [ALLOWED] });
  assertOk(typeof other === "string" && other.startsWith("host not allowed"), String(other));
});
