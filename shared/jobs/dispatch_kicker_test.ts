import { assertEquals } from "../../tests/support/assert.ts";
import { createDispatchKicker } from "./dispatch_kicker.ts";

Deno.test("createDispatchKicker coalesces a burst into one run plus one follow-up", async () => {
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const started: Promise<unknown>[] = [];
  const kick = createDispatchKicker(async () => {
    runs++;
    if (runs === 1) await gate;
  }, (p) => started.push(p));
  for (let i = 0; i < 10; i++) kick();
  assertEquals(started.length, 1, "one background loop");
  release();
  await Promise.all(started);
  assertEquals(runs, 2, "the burst during the first run asked for exactly one more");
  kick();
  await Promise.all(started);
  assertEquals(started.length, 2, "an idle kicker starts a new loop");
});
