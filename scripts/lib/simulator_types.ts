/**
 * What the stack's simulator starters share: the options they take and what they return.
 * Kept apart from simulators.ts, which starts them all, so the starters (provider_stack.ts,
 * storage_stack.ts) import their types from here and the imports go one way.
 */
import type { Mount } from "./gateway.ts";

/** What `startSimulators` (simulators.ts) and each starter need. */
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
