/**
 * Starts the stand-ins for what our machines cannot reach: the Storage API (mounted on the
 * gateway at /storage/v1) and the providers (Replicate, OpenRouter) as real HTTP servers.
 * Returns the env the functions need to use them and the gateway mounts.
 */
import type { Mount } from "./gateway.ts";
import { startProviderSimulators } from "./provider_stack.ts";
import { startStorageSimulator } from "./storage_stack.ts";

/** What {@link startSimulators} needs. */
export interface SimulatorOptions {
  /** Database the Storage simulator keeps `storage.objects` rows in. */
  dbUrl: string;
  jwtSecret: string;
  /** Where the gateway will listen (public URL of signed links and webhooks). */
  gatewayUrl: string;
  /** Folder for stored objects and logs. */
  stateDir: string;
  /** Which providers to simulate: all (tests), or those whose secret is unset (dev). */
  providers: "all" | "missing-secrets";
  /** Remove stored objects on stop. @default true; the dev stack keeps them beside its database. */
  ephemeralStorage?: boolean;
  log: (line: string) => void;
}

/** Running simulators. */
export interface Simulators {
  /** Variables for the function processes (base URL overrides, tokens, webhook secrets). */
  env: Record<string, string>;
  /** Gateway mounts by path prefix. */
  mounts: Record<string, Mount>;
  stop(): Promise<void>;
}

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
