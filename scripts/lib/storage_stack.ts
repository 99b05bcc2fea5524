/**
 * The Storage simulator's place in the local stack: mounted on the gateway at `/storage/v1`,
 * so functions reach it at SUPABASE_URL/storage/v1 with the service-role key they already have
 * (no extra env). Bytes live under `<stateDir>/storage`.
 */
import { join } from "node:path";
import { startStorageSim } from "../../simulators/storage_sim.ts";
import type { SimulatorOptions, Simulators } from "./simulator_types.ts";

/**
 * Starts the Storage simulator and returns its gateway mount. A test stack removes its objects
 * on stop; the dev stack keeps them, because its database (and so its storage.objects rows)
 * outlives each run.
 */
export async function startStorageSimulator(opts: SimulatorOptions): Promise<Simulators> {
  const dir = join(opts.stateDir, "storage");
  const ephemeral = opts.ephemeralStorage ?? true;
  if (ephemeral) await Deno.remove(dir, { recursive: true }).catch(() => {});
  const sim = await startStorageSim({
    dbUrl: opts.dbUrl,
    jwtSecret: opts.jwtSecret,
    dir,
    log: opts.log,
  });
  opts.log(`storage: simulated at ${opts.gatewayUrl}/storage/v1 (objects in ${dir})`);
  return {
    env: {},
    mounts: { "/storage/v1": sim.mount },
    stop: async () => {
      await sim.stop();
      if (ephemeral) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
