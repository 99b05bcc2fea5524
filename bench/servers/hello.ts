// The HTTP ceiling: raw Deno.serve answering a fixed body, no framework, no database.
const port = Number(Deno.env.get("PORT") ?? 8000);
Deno.serve(
  { port, hostname: "127.0.0.1", onListen: () => {} },
  () =>
    new Response('{"status":"ok"}', {
      headers: { "content-type": "application/json" },
    }),
);
