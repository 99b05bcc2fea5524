/**
 * Completes a function's generated OpenAPI document so a client can be generated from it and it
 * passes `redocly lint` (recommended rules) without each route having to remember how: every
 * operation gets the security of the guard that really runs for it (or `[]`), an `operationId`,
 * the 4xx/5xx answers the shared middleware can give it, and the document gets the security
 * schemes its operations name and loses schemas nothing references.
 */
import {
  GUARD_SECURITY,
  type GuardKind,
  SECURITY_SCHEMES,
  type SecurityRequirements,
} from "./security_schemes.ts";
import { operationIdFor } from "./operation_ids.ts";
import { pruneUnusedSchemas } from "./openapi_prune.ts";

/** The parts of an OpenAPI operation this module reads or fills in. */
interface Operation {
  operationId?: string;
  security?: SecurityRequirements;
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

/** A generated OpenAPI 3.1 document, loosely typed. */
export interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown> | undefined>;
  [key: string]: unknown;
}

/** What {@link finalizeDocument} needs to know about the app. */
export interface DocumentContext {
  /** The function's base path, e.g. `/queue-job`. */
  basePath: string;
  /** The function's body cap in bytes (the shared body reader answers 413 past it). */
  bodyLimitBytes: number;
  /** The guards that run before the operation at `method` (upper case) and `path`. */
  guardsFor(method: string, path: string): GuardKind[];
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "BAD_REQUEST: a parameter or the body is invalid (`details` names the field)",
  401: "UNAUTHORIZED: credentials missing or invalid",
  403: "FORBIDDEN: valid credentials without the role this operation needs",
  500: "INTERNAL: an unexpected failure (the message carries no internal detail)",
};

/** Fills in security, operation ids, error answers and schemes; returns the same document. */
export function finalizeDocument(doc: OpenApiDocument, ctx: DocumentContext): OpenApiDocument {
  const usedIds = new Set<string>();
  const operations: { method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      operations.push({ method, path, op });
      if (op.operationId) usedIds.add(op.operationId);
    }
  }
  const schemes = new Set<string>();
  for (const { method, path, op } of operations) {
    const guard = guardOf(ctx.guardsFor(method.toUpperCase(), path), `${method} ${path}`);
    const guarded = guard ? GUARD_SECURITY[guard] : undefined;
    if (guarded && op.security && !sameSecurity(op.security, guarded.security)) {
      // A route may state what its handler checks, never contradict the guard in front of it.
      throw new Error(
        `${method.toUpperCase()} ${path} declares security ${JSON.stringify(op.security)} ` +
          `but runs the ${guard} guard`,
      );
    }
    op.security = op.security ?? (guarded ? [...guarded.security] : []);
    for (const requirement of op.security) {
      for (const name of Object.keys(requirement)) {
        if (!(name in SECURITY_SCHEMES)) throw new Error(`Unknown security scheme ${name}`);
        schemes.add(name);
      }
    }

    const statuses = [413, 500];
    if (op.parameters?.length || op.requestBody) statuses.push(400);
    if (guarded) statuses.push(...guarded.statuses);
    else if (op.security.length > 0) statuses.push(401);
    op.responses ??= {};
    for (const status of statuses.sort((a, b) => a - b)) {
      if (String(status) in op.responses) continue;
      op.responses[String(status)] = {
        description: status === 413
          ? `PAYLOAD_TOO_LARGE: the body is over ${ctx.bodyLimitBytes} bytes`
          : ERROR_DESCRIPTIONS[status],
        content: {
          "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } },
        },
      };
    }

    if (!op.operationId) {
      op.operationId = operationIdFor(method, path, ctx.basePath, usedIds);
      usedIds.add(op.operationId);
    }
  }

  const components = doc.components ??= {};
  if (schemes.size > 0) {
    components.securitySchemes = Object.fromEntries(
      [...schemes].sort().map((
        name,
      ) => [name, SECURITY_SCHEMES[name as keyof typeof SECURITY_SCHEMES]]),
    );
  }
  pruneUnusedSchemas(doc);
  return doc;
}

/** The one guard in front of an operation; a user guard under an admin one is the admin's. */
function guardOf(kinds: GuardKind[], where: string): GuardKind | undefined {
  const distinct = new Set(kinds);
  if (distinct.has("admin")) distinct.delete("user");
  if (distinct.size > 1) throw new Error(`${where} runs conflicting guards: ${[...distinct]}`);
  return [...distinct][0];
}

function sameSecurity(a: SecurityRequirements, b: SecurityRequirements): boolean {
  const key = (r: SecurityRequirements) =>
    r.map((entry) => Object.keys(entry).sort().join("+")).sort().join("|");
  return key(a) === key(b);
}
