/** The provider simulators' place in the local stack (filled in with the providers issue). */
import type { SimulatorOptions, Simulators } from "./simulators.ts";

/** Starts the provider simulators and returns the env that points providers at them. */
export function startProviderSimulators(_opts: SimulatorOptions): Promise<Simulators> {
  return Promise.resolve({ env: {}, mounts: {}, stop: () => Promise.resolve() });
}
