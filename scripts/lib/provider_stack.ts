/**
 * The provider simulators' place in the local stack: starts the Replicate and OpenRouter
 * simulators (simulators/) on free loopback ports and returns the env that points
 * the providers at them (base-URL overrides, fake tokens, webhook secrets, output hosts,
 * control URLs). `npm test` simulates every provider; `npm run dev` only those without a secret.
 */
import { encodeHex } from "../../shared/encoding.ts";
import { startOpenRouterSim } from "../../simulators/openrouter_sim.ts";
import { startReplicateSim } from "../../simulators/replicate_sim.ts";
import { generateWebhookSecret } from "../../simulators/standard_webhooks.ts";
import type { SimulatorOptions, Simulators } from "./simulator_types.ts";

const HOST = "127.0.0.1";

/** Starts the provider simulators and returns the env that points providers at them. */
export function startProviderSimulators(opts: SimulatorOptions): Promise<Simulators> {
  const env: Record<string, string> = {};
  const stops: (() => Promise<void>)[] = [];
  // Benchmarks set SIM_LATENCY_MS=0; tests and dev keep the small default.
  const latencyMs = Number(Deno.env.get("SIM_LATENCY_MS") ?? 20);
  const simulate = (provider: string, secretName: string): boolean => {
    if (opts.providers === "all") {
      opts.log(`${provider}: simulated (tests)`);
      return true;
    }
    if (Deno.env.get(secretName)) {
      opts.log(`${provider}: real (${secretName} set)`);
      return false;
    }
    opts.log(`${provider}: simulated (${secretName} not set)`);
    return true;
  };

  if (simulate("replicate", "REPLICATE_API_TOKEN")) {
    const sim = startReplicateSim({
      token: `r8_sim_${randomToken()}`,
      webhookSecret: generateWebhookSecret(),
      latencyMs,
      hostname: HOST,
    });
    stops.push(() => sim.stop());
    Object.assign(env, {
      REPLICATE_BASE_URL: sim.baseUrl,
      REPLICATE_API_TOKEN: sim.token,
      REPLICATE_WEBHOOK_SECRET: sim.webhookSecret,
      REPLICATE_OUTPUT_HOSTS: HOST,
      SIM_CONTROL_URL_REPLICATE: sim.controlUrl,
    });
  }

  const openRouter = simulate("openrouter", "OPENROUTER_API_KEY");
  const openAi = simulate("openai", "OPENAI_API_KEY");
  if (openRouter || openAi) {
    const apiKey = `sk-or-v1-sim-${randomToken()}`;
    const openAiKey = `sk-sim-${randomToken()}`;
    const broadcastSecret = randomToken();
    const webhookSecret = randomToken();
    const sim = startOpenRouterSim({
      apiKey,
      extraApiKeys: [openAiKey],
      webhookSecret,
      // Traces are posted only when a request's scenario asks (`broadcast`), to this URL
      // unless the scenario names another one.
      broadcast: {
        url: `${opts.gatewayUrl}/functions/v1/provider-webhooks/openrouter/broadcast`,
        secret: broadcastSecret,
        header: "X-Broadcast-Secret",
      },
      latencyMs,
      hostname: HOST,
    });
    stops.push(() => sim.stop());
    env.SIM_CONTROL_URL_OPENROUTER = sim.controlUrl;
    if (openRouter) {
      Object.assign(env, {
        OPENROUTER_BASE_URL: sim.baseUrl,
        OPENROUTER_API_KEY: apiKey,
        OPENROUTER_WEBHOOK_SECRET: webhookSecret,
        OPENROUTER_BROADCAST_SECRET: broadcastSecret,
        OPENROUTER_OUTPUT_HOSTS: HOST,
      });
    }
    if (openAi) {
      Object.assign(env, { OPENAI_BASE_URL: sim.openaiBaseUrl, OPENAI_API_KEY: openAiKey });
    }
  }
  if (stops.length) env.SIM_OUTPUT_HOSTS = HOST;

  return Promise.resolve({
    env,
    mounts: {},
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  });
}

function randomToken(): string {
  return encodeHex(crypto.getRandomValues(new Uint8Array(24)));
}
