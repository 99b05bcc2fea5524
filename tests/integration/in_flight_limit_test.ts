import { createFunctionApp } from "../../shared/http/create_app.ts";
import { limitInFlight } from "../../shared/http/in_flight_limit.ts";
import { createLogger } from "../../shared/log.ts";
import { assertEquals } from "../support/assert.ts";
import { withDb } from "../support/stack.ts";

Deno.test("past the in-flight limit a delivery gets 503 + Retry-After at once; capacity comes back", async () => {
  await withDb(async (db) => {
    const app = createFunctionApp({
      name: "limited",
      description: "in-flight limit test",
      log: createLogger({ level: "error" }),
      db,
      corsOrigins: "*",
    });
    const limit = limitInFlight(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    app.use("/slow", limit);
    app.post("/slow", async (c) => {
      await gate;
      return c.json({ ok: true });
    });
    const call = () => app.request("/limited/slow", { method: "POST" });

    const first = [call(), call()];
    await new Promise((r) => setTimeout(r, 10));
    assertEquals(limit.inFlight(), 2);
    const refused = await call();
    assertEquals(refused.status, 503);
    assertEquals(refused.headers.get("retry-after"), "1");
    assertEquals(((await refused.json()).error as { code: string }).code, "UNAVAILABLE");

    release();
    for (const res of await Promise.all(first)) assertEquals(res.status, 200);
    assertEquals(limit.inFlight(), 0);
    assertEquals((await call()).status, 200);
  });
});
