// Scenario 7 anchor: a bare Hono app (no config, database or OpenAPI) answering GET /bare/health.
import { Hono } from "hono";

const app = new Hono().basePath("/bare");
app.get("/health", (c) => c.json({ status: "ok" }));
Deno.serve({
  port: Number(Deno.env.get("PORT")),
  hostname: "127.0.0.1",
  onListen: () => {},
}, app.fetch);
