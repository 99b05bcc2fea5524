/** The typed Hono context every function shares. */
import type { Claims } from "../db/scopes.ts";
import type { AppError } from "../errors.ts";

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
    /** The body bytes the body reader kept. */
    requestBody?: Uint8Array;
    /** Why the body's JSON was refused, once `c.req.json()` was asked for it. */
    bodyError?: AppError;
  };
}
