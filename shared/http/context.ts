/** The typed Hono context every function shares. */
import type { Claims } from "../db/scopes.ts";

/** Who made the request, as established by an auth guard. */
export type Caller =
  | { kind: "user"; userId: string; claims: Claims }
  | { kind: "service" };

/** What the audit middleware records for a state-changing user request. */
export interface AuditInfo {
  action?: string;
  resourceType?: string;
  resourceId?: string;
}

/** Hono environment: the variables middleware and handlers share. */
export interface HonoEnv {
  Variables: {
    requestId: string;
    caller?: Caller;
    audit?: AuditInfo;
  };
}
