/**
 * The dependencies every function is built from, and the composition helpers its `index.ts`
 * (the function's one composition root) uses: one pool, one verifier, one logger per process,
 * built from the parsed config. A function adds what it alone needs (the job flow, say) to this
 * object, and its routes receive the whole. Tests build their own.
 */
import type { Config } from "../config.ts";
import { secretApiKeys } from "../config.ts";
import { createDb, type Sql } from "../db/client.ts";
import { createGroupCommit, type GroupCommit } from "../db/group_commit.ts";
import { createJwtVerifier } from "./auth/jwt_verifier.ts";
import type { AuthDeps } from "./auth/guards.ts";
import { createFunctionApp, type FunctionApp } from "./create_app.ts";
import { parseCorsOrigins } from "./cors.ts";
import { registerHealthRoute } from "./health.ts";
import { createLogger, type Logger } from "../log.ts";

/** What every function app receives. */
export interface FunctionDeps {
  name: string;
  config: Config;
  db: Sql;
  /**
   * The process's one group committer over `db`: concurrent requests' statements (charges,
   * transitions, audit rows) share a transaction and a round trip.
   */
  commits: GroupCommit;
  log: Logger;
  auth: AuthDeps;
}

/** Builds the shared dependencies from config (one pool and committer, one verifier, one logger). */
export function buildFunctionDeps(config: Config, name: string): FunctionDeps {
  const db = createDb(config.DB_POOLER_URL ?? config.SUPABASE_DB_URL, {
    max: config.DB_POOL_MAX,
    prepare: config.DB_PREPARE,
    applicationName: name,
  });
  const log = createLogger({ level: config.LOG_LEVEL, base: { fn: name } });
  const supabaseUrl = config.SUPABASE_URL.replace(/\/+$/, "");
  const verifyJwt = createJwtVerifier({
    jwtSecret: config.JWT_SECRET,
    jwks: config.SUPABASE_JWKS as never,
    jwksUrl: config.SUPABASE_JWKS_URL ?? `${supabaseUrl}/auth/v1/.well-known/jwks.json`,
    issuer: config.JWT_ISSUER ?? `${supabaseUrl}/auth/v1`,
    hsIssuer: config.JWT_ISSUER,
  });
  return {
    name,
    config,
    db,
    commits: createGroupCommit(db),
    log,
    auth: { verifyJwt, secretKeys: secretApiKeys(config), db },
  };
}

/** The app with what every function has: the shared middleware, docs and `GET /health`. */
export function createBaseApp(
  deps: FunctionDeps,
  description: string,
  bodyLimitBytes?: number,
): FunctionApp {
  const app = createFunctionApp({
    name: deps.name,
    description,
    log: deps.log,
    db: deps.db,
    commits: deps.commits,
    corsOrigins: parseCorsOrigins(deps.config.CORS_ALLOWED_ORIGINS),
    bodyLimitBytes,
  });
  registerHealthRoute(app, { db: deps.db, log: deps.log, name: deps.name });
  return app;
}

/** Serves an app as this process's HTTP server (the edge runtime ignores the port). */
export function serveApp(app: FunctionApp, deps: FunctionDeps): Deno.HttpServer {
  return Deno.serve({
    port: deps.config.PORT,
    hostname: "127.0.0.1",
    onListen: ({ port }) => deps.log.info("listening", { port }),
  }, app.fetch);
}
