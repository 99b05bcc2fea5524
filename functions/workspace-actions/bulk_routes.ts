/**
 * Many assets at once: `POST /jobs/:id/save` and `POST /jobs/:id/discard` (every asset of one of
 * the caller's jobs) and `POST /clear` (every workspace asset of the caller, saved first when
 * `save` is true), in bounded batches, with counts and per-asset errors.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asUser } from "../../shared/db/scopes.ts";
import * as jobs from "../../shared/db/tables/jobs.ts";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { clearAssets } from "./clear_assets.ts";
import type { Caller, WorkspaceActionsDeps } from "./deps.ts";
import { idParam } from "./request_schemas.ts";
import { jsonResponse } from "../../shared/http/route_parts.ts";

/** Counts of a batch action. */
export const clearResultSchema = z.object({
  processed: z.number().int(),
  saved: z.number().int(),
  new_saves: z.number().int(),
  discarded: z.number().int(),
  library_ids: z.array(z.uuid()),
  errors: z.array(z.object({ asset_id: z.uuid(), code: z.string(), message: z.string() })),
  remaining: z.number().int(),
}).openapi("BatchResult");

const jobRoute = (action: "save" | "discard") =>
  createRoute({
    method: "post",
    path: `/jobs/{id}/${action}`,
    summary: action === "save"
      ? "Save every workspace asset of one of the caller's jobs to the library"
      : "Discard every workspace asset of one of the caller's jobs",
    request: { params: idParam },
    responses: {
      200: jsonResponse(clearResultSchema, "Counts and per-asset errors"),
      ...errorResponses(400, 401, 404),
    },
  });

const clearRoute = createRoute({
  method: "post",
  path: "/clear",
  summary: "Clear the caller's workspace, saving every asset first when `save` is true",
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.strictObject({ save: z.boolean() }) } },
    },
  },
  responses: {
    200: jsonResponse(clearResultSchema, "Counts and per-asset errors"),
    ...errorResponses(400, 401),
  },
});

/** The caller's own job, or a 404. */
export async function requireOwnJob(deps: WorkspaceActionsDeps, caller: Caller, id: string) {
  const [job] = await asUser(deps.db, caller.claims, (tx) => jobs.ownJob(tx, id));
  if (!job) throw new AppError("NOT_FOUND", "No such job");
  return job;
}

/** Registers the batch routes. */
export function registerBulkRoutes(app: FunctionApp, deps: WorkspaceActionsDeps): void {
  app.use("/jobs/*", requireUser(deps.auth));
  app.use("/clear", requireUser(deps.auth));
  for (const action of ["save", "discard"] as const) {
    app.openapi(jobRoute(action), async (c) => {
      const caller = userCaller(c);
      const { id } = c.req.valid("param");
      c.set("audit", { action: `workspace.job_${action}`, resourceType: "job", resourceId: id });
      await requireOwnJob(deps, caller, id);
      const result = await clearAssets(deps, caller, {
        jobId: id,
        save: action === "save",
        discard: action === "discard",
      });
      return c.json(result, 200);
    });
  }
  app.openapi(clearRoute, async (c) => {
    const caller = userCaller(c);
    const { save } = c.req.valid("json");
    c.set("audit", { action: save ? "workspace.clear_saving" : "workspace.clear" });
    return c.json(await clearAssets(deps, caller, { save, discard: true }), 200);
  });
}
