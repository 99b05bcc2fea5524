import { startProviderSimulators } from "../../scripts/lib/provider_stack.ts";
import { assertEquals, assertMatch, assertOk } from "../support/assert.ts";

const base = { dbUrl: "", jwtSecret: "", gatewayUrl: "http://127.0.0.1:1", stateDir: "" };

Deno.test("provider stack (all): both simulators up, env points every provider at them", async () => {
  const lines: string[] = [];
  const sims = await startProviderSimulators({
    ...base,
    providers: "all",
    log: (l) => lines.push(l),
  });
  try {
    const { env } = sims;
    assertMatch(env.REPLICATE_BASE_URL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assertMatch(env.OPENROUTER_BASE_URL, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    assertMatch(env.OPENAI_BASE_URL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assertMatch(env.REPLICATE_WEBHOOK_SECRET, /^whsec_[A-Za-z0-9+/]{43}=$/);
    for (
      const name of [
        "REPLICATE_API_TOKEN",
        "OPENROUTER_API_KEY",
        "OPENROUTER_WEBHOOK_SECRET",
        "OPENROUTER_BROADCAST_SECRET",
        "OPENAI_API_KEY",
      ]
    ) assertOk(env[name]?.length >= 16, name);
    assertEquals(env.SIM_OUTPUT_HOSTS, "127.0.0.1");
    for (const url of [env.SIM_CONTROL_URL_REPLICATE, env.SIM_CONTROL_URL_OPENROUTER]) {
      const res = await fetch(`${url}/health`);
      assertEquals((await res.json()).status, "ok");
    }
    // The OpenAI key is accepted by the OpenRouter simulator's /v1 alias.
    const chat = await fetch(`${env.OPENAI_BASE_URL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.OPENAI_API_KEY}` },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    assertEquals(chat.status, 200);
    await chat.body?.cancel();
    assertEquals(lines, [
      "replicate: simulated (tests)",
      "openrouter: simulated (tests)",
      "openai: simulated (tests)",
    ]);
  } finally {
    await sims.stop();
  }
});

Deno.test("provider stack (missing-secrets): only providers without a secret are simulated", async () => {
  const names = ["REPLICATE_API_TOKEN", "OPENROUTER_API_KEY", "OPENAI_API_KEY"];
  const saved = names.map((n) => Deno.env.get(n));
  Deno.env.delete("REPLICATE_API_TOKEN");
  Deno.env.set("OPENROUTER_API_KEY", "real-key");
  Deno.env.set("OPENAI_API_KEY", "real-key");
  const lines: string[] = [];
  const sims = await startProviderSimulators({
    ...base,
    providers: "missing-secrets",
    log: (l) => lines.push(l),
  });
  try {
    assertEquals(lines, [
      "replicate: simulated (REPLICATE_API_TOKEN not set)",
      "openrouter: real (OPENROUTER_API_KEY set)",
      "openai: real (OPENAI_API_KEY set)",
    ]);
    assertOk(sims.env.REPLICATE_BASE_URL);
    assertEquals(sims.env.OPENROUTER_BASE_URL, undefined);
    assertEquals(sims.env.OPENAI_API_KEY, undefined);
  } finally {
    await sims.stop();
    names.forEach((n, i) =>
      saved[i] === undefined ? Deno.env.delete(n) : Deno.env.set(n, saved[i]!)
    );
  }
});
