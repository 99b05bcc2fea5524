/**
 * The root `POST /workspace-actions`: the reference frontend's action bodies, answered in its
 * shapes (DESIGN.md section 6), running the same code as the REST routes: `save_to_library`,
 * `clear_asset` (save, then remove from the workspace), `clear_job`, `clear_workspace`,
 * `discard_asset` and `copy_to_workspace`. An unknown action is a 400 naming `action`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { requireOwnJob } from "./bulk_routes.ts";
import { clearAssets, type ClearResult } from "./clear_assets.ts";
import { copyToWorkspace } from "./copy_to_workspace.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { discardAsset } from "./discard_asset.ts";
import { tagsSchema, titleSchema } from "./request_schemas.ts";
import { saveAsset } from "./save_asset.ts";
import { jsonResponse } from "../../shared/http/route_parts.ts";

const saveFields = {
  assetId: z.uuid(),
  customTitle: titleSchema.nullable().optional(),
  collectionId: z.uuid().nullable().optional(),
  tags: tagsSchema.optional(),
};

const actionBody = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("save_to_library"), ...saveFields }),
  z.strictObject({ action: z.literal("clear_asset"), ...saveFields }),
  z.strictObject({ action: z.literal("clear_job"), jobId: z.uuid() }),
  z.strictObject({ action: z.literal("clear_workspace") }),
  z.strictObject({ action: z.literal("discard_asset"), assetId: z.uuid() }),
  z.strictObject({ action: z.literal("copy_to_workspace"), libraryAssetId: z.uuid() }),
]).openapi("ReferenceWorkspaceAction");

const answer = z.object({
  success: z.literal(true),
  message: z.string(),
  libraryAssetId: z.uuid().optional(),
  workspaceAssetId: z.uuid().optional(),
  assetsProcessed: z.number().int().optional(),
  newSaves: z.number().int().optional(),
  errors: z.array(z.string()).optional(),
}).openapi("ReferenceWorkspaceActionResult");

const route = createRoute({
  method: "post",
  path: "/",
  summary: "The reference frontend's workspace actions, in its request and response shapes",
  request: { body: { required: true, content: { "application/json": { schema: actionBody } } } },
  responses: {
    200: jsonResponse(answer, "The action's result"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

function batchAnswer(r: ClearResult, what: string) {
  const processed = r.processed + r.errors.length;
  return {
    success: true as const,
    assetsProcessed: processed,
    newSaves: r.new_saves,
    errors: r.errors.length > 0
      ? r.errors.map((e) => `Asset ${e.asset_id}: ${e.message}`)
      : undefined,
    message: processed === 0
      ? "No assets to clear"
      : `${what} cleared: ${processed} assets processed`,
  };
}

/** Registers the root route. */
export function registerReferenceActions(app: FunctionApp, deps: WorkspaceActionsDeps): void {
  app.use("/", requireUser(deps.auth));
  app.openapi(route, async (c) => {
    const caller = userCaller(c);
    const body = c.req.valid("json");
    c.set("audit", { action: `workspace.${body.action}` });
    switch (body.action) {
      case "save_to_library":
      case "clear_asset": {
        const { item } = await saveAsset(deps, caller, body.assetId, {
          collectionId: body.collectionId,
          title: body.customTitle,
          tags: body.tags,
        });
        if (body.action === "save_to_library") {
          return c.json({
            success: true as const,
            libraryAssetId: item.id,
            message: "Asset saved to library",
          }, 200);
        }
        await discardAsset(deps, caller, body.assetId);
        return c.json({
          success: true as const,
          libraryAssetId: item.id,
          message: "Asset cleared from workspace",
        }, 200);
      }
      case "clear_job": {
        await requireOwnJob(deps, caller, body.jobId);
        const r = await clearAssets(deps, caller, { jobId: body.jobId, save: true, discard: true });
        if (r.processed + r.errors.length === 0) {
          throw new AppError("NOT_FOUND", "No assets found for job");
        }
        return c.json(batchAnswer(r, "Job"), 200);
      }
      case "clear_workspace":
        return c.json(
          batchAnswer(await clearAssets(deps, caller, { save: true, discard: true }), "Workspace"),
          200,
        );
      case "discard_asset": {
        const { discarded } = await discardAsset(deps, caller, body.assetId);
        return c.json({
          success: true as const,
          message: discarded ? "Asset discarded" : "Asset already removed",
        }, 200);
      }
      case "copy_to_workspace": {
        const { asset, created } = await copyToWorkspace(deps, caller, body.libraryAssetId);
        return c.json({
          success: true as const,
          workspaceAssetId: asset.id,
          message: created ? "Asset copied to workspace" : "Asset already exists in workspace",
        }, 200);
      }
    }
  });
}
