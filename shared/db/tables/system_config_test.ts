import { assertEquals } from "../../../tests/support/assert.ts";
import { parseSettings, SETTING_DEFAULTS } from "./system_config.ts";

Deno.test("parseSettings reads valid values and ignores keys it does not know", () => {
  assertEquals(
    parseSettings({ job_lease_seconds: 45, chat_history_messages: 0, starting_credits: 5 }),
    { job_lease_seconds: 45, chat_history_messages: 0 },
  );
  assertEquals(parseSettings({ job_lease_seconds: 45.9 }).job_lease_seconds, 45, "floored");
});

Deno.test("parseSettings falls back to the code default per key, never throws", () => {
  assertEquals(SETTING_DEFAULTS, { job_lease_seconds: 120, chat_history_messages: 20 });
  for (
    const bad of [
      "45",
      -1,
      4,
      3601,
      Number.NaN,
      null,
      true,
      [],
      {},
    ]
  ) {
    assertEquals(
      parseSettings({ job_lease_seconds: bad, chat_history_messages: 20 }).job_lease_seconds,
      120,
      JSON.stringify(bad),
    );
  }
  assertEquals(parseSettings({ chat_history_messages: 12 }), {
    job_lease_seconds: 120,
    chat_history_messages: 12,
  }, "one bad key does not reset the others");
  for (const config of [null, undefined, [], "x", 3]) {
    assertEquals(parseSettings(config), SETTING_DEFAULTS, JSON.stringify(config));
  }
});
