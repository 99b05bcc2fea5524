/**
 * The app factory every function uses: Hono + zod-openapi under the base path `/<name>`, with
 * request ids, CORS on every response, the shared body reader (size cap, safe JSON), one JSON log
 * line per request, the error envelope, 404/405 handling, `GET /<name>/openapi.json` (completed
 * by `openapi_document.ts`: security, operation ids, error answers) and `GET /<name>/docs`.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { type Background, createBackground } from "../background.ts";
import type { Sql } from "../db/client.ts";
import { createGroupCommit, type GroupCommit } from "../db/group_commit.ts";
import { sha256Hex } from "../encoding.ts";
import { AppError, type FieldIssue } from "../errors.ts";
import type { Logger } from "../log.ts";
import { auditTrail } from "./audit.ts";
import { bodyReader, preferBodyError } from "./body_reader.ts";
import type { HonoEnv } from "./context.ts";
import { corsHeaders } from "./cors.ts";
import { docsPage } from "./docs_page.ts";
import { errorEnvelopeSchema, toErrorResponse } from "./error_envelope.ts";
import { finalizeDocument, type OpenApiDocument } from "./openapi_document.ts";
import { type GuardKind, guardKindOf } from "./security_schemes.ts";

/** Options for {@link createFunctionApp}. */
export interface FunctionAppOptions {
  /** The function name; also the base path the platform routes to it. */
  name: string;
  /** What the function does: the OpenAPI document's `info.description`. */
  description: string;
  log: Logger;
  db: Sql;
  /** The process's group committer (audit rows go through it); one over `db` if not given. */
  commits?: GroupCommit;
  /** Runs work after the response (audit rows); one that logs failures if not given. */
  background?: Background;
  corsOrigins: "*" | string[];
  /** Request body cap for every route, with or without Content-Length. @default 65536 */
  bodyLimitBytes?: number;
}

/** The app type every function's routes are registered on. */
export type FunctionApp = OpenAPIHono<HonoEnv>;

const DEFAULT_BODY_LIMIT = 65_536;
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Turns zod issues into envelope details that name the field. */
export function zodIssues(
  issues: readonly {
    path: readonly PropertyKey[];
    message: string;
    code?: string;
    keys?: string[];
  }[],
): FieldIssue[] {
  return issues.map((issue) => {
    const field = issue.code === "unrecognized_keys" && issue.keys?.length
      ? [...issue.path.map(String), issue.keys.join(", ")].join(".")
      : issue.path.map(String).join(".") || "body";
    const message = issue.code === "unrecognized_keys" ? "Unknown field" : issue.message;
    return { field, message };
  });
}

/**
 * Parses with a schema chosen at run time (a route that takes two body shapes), or throws the
 * envelope's 400 naming the fields.
 */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(zodIssues(parsed.error.issues));
  return parsed.data;
}

/** Throws the envelope's 400 for a failed validation. */
export function validationError(issues: FieldIssue[]): AppError {
  const first = issues[0];
  const summary = first ? `Invalid ${first.field}: ${first.message}` : "Invalid request";
  return new AppError("BAD_REQUEST", summary, { details: issues });
}

function pathPattern(path: string): RegExp {
  const source = path.split("/").map((seg) => {
    if (seg === "*") return ".*";
    if (seg.startsWith(":")) return "[^/]+";
    return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("/");
  // Exact, as the router is: a trailing slash reaches no route, so it is a 404, not a 405
  // naming the method that was used.
  return new RegExp(`^${source}$`);
}

/** Creates a function's app under `/<name>`. */
export function createFunctionApp(opts: FunctionAppOptions): FunctionApp {
  const { log } = opts;
  const root = new OpenAPIHono<HonoEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(zodIssues(result.error.issues));
    },
  });

  root.use("*", async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", requestId);
    const cors = corsHeaders(c.req.header("origin") ?? null, { allowedOrigins: opts.corsOrigins });
    if (c.req.method === "OPTIONS") {
      c.res = new Response(null, { status: 204, headers: { ...cors, "x-request-id": requestId } });
    } else {
      await next();
    }
    for (const [k, v] of Object.entries(cors)) c.res.headers.set(k, v);
    c.res.headers.set("x-request-id", requestId);
    if (!log.enabled("info")) return;
    const caller = c.get("caller");
    log.info("request", {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      user: caller?.kind === "user" ? userHash(caller.userId) : caller?.kind,
    });
  });
  root.use("*", bodyReader({ maxBytes: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT }));
  root.use(
    "*",
    auditTrail({
      commits: opts.commits ?? createGroupCommit(opts.db),
      background: opts.background ?? createBackground(log),
      log,
      fn: opts.name,
    }),
  );

  const app = root.basePath(`/${opts.name}`) as unknown as FunctionApp;
  // basePath() returns a new instance that does not inherit these handlers, so they go here.
  app.onError((err, c) =>
    toErrorResponse(preferBodyError(c, err), c.get("requestId") ?? "unknown", log)
  );
  app.notFound((c) => {
    const allowed = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && pathPattern(r.path).test(c.req.path))
        .map((r) => r.method),
    );
    const err = allowed.size > 0
      ? new AppError("METHOD_NOT_ALLOWED", `Method ${c.req.method} is not allowed here`, {
        headers: { allow: [...allowed, "OPTIONS"].join(", ") },
      })
      : new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`);
    return toErrorResponse(err, c.get("requestId") ?? "unknown", log);
  });

  registerDocumentRoutes(app, opts);
  return app;
}

const documentRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  summary: "This function's OpenAPI 3.1 document",
  responses: {
    200: {
      description: "The document",
      content: { "application/json": { schema: z.looseObject({}) } },
    },
  },
});

const docsRoute = createRoute({
  method: "get",
  path: "/docs",
  summary: "A docs page listing the operations (no external assets)",
  responses: {
    200: { description: "The page", content: { "text/html": { schema: z.string() } } },
  },
});

function registerDocumentRoutes(app: FunctionApp, opts: FunctionAppOptions): void {
  // Every operation's error answers name the envelope, whether or not a route used it.
  app.openAPIRegistry.register("ErrorEnvelope", errorEnvelopeSchema);
  let document: OpenApiDocument | undefined;
  app.openapi(documentRoute, (c) => {
    // Built on first request: by then every route is registered and the router is fixed. The
    // generator returns a fresh object, typed more strictly than the completion needs.
    document ??= finalizeDocument(
      app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: { title: opts.name, version: "1.0.0", description: opts.description },
        servers: [{ url: "/functions/v1", description: "The project's Edge Functions URL" }],
      }) as unknown as OpenApiDocument,
      {
        basePath: `/${opts.name}`,
        bodyLimitBytes: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
        guardsFor: (method, path) => guardsFor(app, method, path),
      },
    );
    return c.json(document, 200);
  });
  app.openapi(docsRoute, (c) => c.html(docsPage(opts.name, `/${opts.name}`)));
}

/**
 * The guards Hono runs for a request to `path` (`{id}` placeholders match `:id` like any
 * value): the same router lookup a request makes, so the document cannot claim other auth.
 */
function guardsFor(app: FunctionApp, method: string, path: string): GuardKind[] {
  const [matched] = app.router.match(method, path);
  return matched.map(([[handler]]) => guardKindOf(handler)).filter((k) => k !== undefined);
}

function userHash(userId: string): string {
  return sha256Hex(userId).slice(0, 12);
}
