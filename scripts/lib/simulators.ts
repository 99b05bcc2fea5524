/**
 * Starts the stand-ins for what our machines cannot reach: the Storage API (mounted on the
 * gateway at /storage/v1) and the providers (Replicate, OpenRouter) as real HTTP servers.
 * Returns the env the functions need to use them and the gateway mounts.
 */
import { startProviderSimulators } from "./provider_stack.ts";
import type { SimulatorOptions, Simulators } from "./simulator_types.ts";
import { startStorageSimulator } from "./storage_stack.ts";

/** Starts every simulator. */
export async function startSimulators(opts: SimulatorOptions): Promise<Simulators> {
  const storage = await startStorageSimulator(opts);
  const providers = await startProviderSimulators(opts);
  return {
    env: { ...storage.env, ...providers.env },
    mounts: { ...storage.mounts },
    stop: async () => {
      await providers.stop();
      await storage.stop();
    },
  };
}
