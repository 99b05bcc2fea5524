/**
 * The caller's workspace assets: `GET /assets` (a page, with signed URLs), and one asset's
 * `POST /assets/:id/save` (to the library, exactly once) and `POST /assets/:id/discard`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asUser } from "../../shared/db/scopes.ts";
import * as assets from "../../shared/db/tables/workspace_assets.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { decodeCursor, encodeCursor } from "../../shared/http/keyset_cursor.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { discardAsset } from "./discard_asset.ts";
import { cursorParam, idParam, limitParam, saveBody } from "./request_schemas.ts";
import { saveAsset } from "./save_asset.ts";
import { assetSchema, assetView, itemSchema, itemView, withUrls } from "./views.ts";
import { jsonBody, jsonResponse } from "../../shared/http/route_parts.ts";

const listRoute = createRoute({
  method: "get",
  path: "/assets",
  summary: "The caller's workspace assets, newest first, with signed URLs (1 hour)",
  request: {
    query: z.object({ job_id: z.uuid().optional(), limit: limitParam, cursor: cursorParam }),
  },
  responses: {
    200: jsonResponse(
      z.object({ assets: z.array(assetSchema), next_cursor: z.string().nullable() }),
      "A page of assets",
    ),
    ...errorResponses(400, 401),
  },
});

const saveRoute = createRoute({
  method: "post",
  path: "/assets/{id}/save",
  summary: "Save a workspace asset to the library (idempotent: the same item every time)",
  request: {
    params: idParam,
    body: jsonBody(saveBody, { required: false }),
  },
  responses: {
    200: jsonResponse(z.object({ item: itemSchema, created: z.boolean() }), "The library item"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const discardRoute = createRoute({
  method: "post",
  path: "/assets/{id}/discard",
  summary: "Remove a workspace asset and its objects (idempotent)",
  request: { params: idParam },
  responses: {
    200: jsonResponse(z.object({ discarded: z.boolean() }), "Whether this call removed it"),
    ...errorResponses(400, 401, 403, 404),
  },
});

/** Registers the asset routes. */
export function registerAssetRoutes(app: FunctionApp, deps: WorkspaceActionsDeps): void {
  app.use("/assets", requireUser(deps.auth));
  app.use("/assets/*", requireUser(deps.auth));
  app.openapi(listRoute, async (c) => {
    const caller = userCaller(c);
    const { job_id, limit, cursor } = c.req.valid("query");
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await asUser(
      deps.db,
      caller.claims,
      (tx) => assets.ownAssetsPage(tx, { jobId: job_id, after, limit }),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json({
      assets: await withUrls(deps.store, deps.log, caller.userId, page.map(assetView)),
      next_cursor: rows.length > limit && last
        ? encodeCursor({ at: last.created_at, id: last.id })
        : null,
    }, 200);
  });
  app.openapi(saveRoute, async (c) => {
    const caller = userCaller(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    c.set("audit", { action: "workspace.save", resourceType: "workspace_asset", resourceId: id });
    const saved = await saveAsset(deps, caller, id, {
      collectionId: body.collection_id,
      title: body.custom_title,
      tags: body.tags,
    });
    return c.json({ item: itemView(saved.item), created: saved.created }, 200);
  });
  app.openapi(discardRoute, async (c) => {
    const caller = userCaller(c);
    const { id } = c.req.valid("param");
    c.set("audit", {
      action: "workspace.discard",
      resourceType: "workspace_asset",
      resourceId: id,
    });
    return c.json(await discardAsset(deps, caller, id), 200);
  });
}
