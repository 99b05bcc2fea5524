/** The Storage simulator's place in the local stack (filled in with the Storage issue). */
import type { SimulatorOptions, Simulators } from "./simulators.ts";

/** Starts the Storage simulator and returns its gateway mount. */
export function startStorageSimulator(_opts: SimulatorOptions): Promise<Simulators> {
  return Promise.resolve({ env: {}, mounts: {}, stop: () => Promise.resolve() });
}
