import { createFunctionApp } from "../../shared/http/create_app.ts";
import { limitInFlight } from "../../shared/http/in_flight_limit.ts";
import { createLogger } from "../../shared/log.ts";
import { assertEquals } from "../support/assert.ts";
import { withDb } from "../support/stack.ts";

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

Deno.test("deliveries past the limit wait their turn; past the queue or the wait they get 503 + Retry-After", async () => {
  await withDb(async (db) => {
    const app = createFunctionApp({
      name: "limited",
      description: "in-flight limit test",
      log: createLogger({ level: "error" }),
      db,
      corsOrigins: "*",
    });
    const limit = limitInFlight({ max: 2, queue: 1, waitMs: 150 });
    let release!: () => void;
    let gate = new Promise<void>((r) => release = r);
    let ran = 0;
    app.use("/slow", limit);
    app.post("/slow", async (c) => {
      ran++;
      await gate;
      return c.json({ ok: true });
    });
    const call = () => app.request("/limited/slow", { method: "POST" });

    const running = [call(), call()];
    await tick();
    const queued = call();
    await tick();
    assertEquals([limit.inFlight(), limit.waiting(), ran], [2, 1, 2]);
    // The queue is full: refused at once, and the handler never ran.
    const refused = await call();
    assertEquals(refused.status, 503);
    assertEquals(refused.headers.get("retry-after"), "1");
    assertEquals(((await refused.json()).error as { code: string }).code, "UNAVAILABLE");
    assertEquals(ran, 2);

    // A slot frees: the queued delivery runs (and completes once the gate opens).
    release();
    for (const res of await Promise.all(running)) assertEquals(res.status, 200);
    assertEquals((await queued).status, 200);
    assertEquals([limit.inFlight(), limit.waiting(), ran], [0, 0, 3]);

    // A delivery that waits longer than waitMs is refused, and its place is given back.
    gate = new Promise<void>((r) => release = r);
    const held = [call(), call()];
    await tick();
    const late = await call();
    assertEquals(late.status, 503);
    assertEquals(limit.waiting(), 0);
    release();
    for (const res of await Promise.all(held)) assertEquals(res.status, 200);
    assertEquals(limit.inFlight(), 0);
  });
});
