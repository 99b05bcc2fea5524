/**
 * The caller's library: `GET /library` (filtered pages with signed URLs), `PATCH /library/:id`
 * (title, tags, favourite, visibility, collection), `DELETE /library/:id` (row and objects) and
 * `POST /library/:id/copy-to-workspace`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asUser } from "../../shared/db/scopes.ts";
import * as collections from "../../shared/db/tables/user_collections.ts";
import * as library from "../../shared/db/tables/user_library.ts";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { decodeCursor, encodeCursor } from "../../shared/http/keyset_cursor.ts";
import { safeText } from "../../shared/http/safe_text.ts";
import { MEDIA_KINDS } from "../../shared/vocabulary.ts";
import { copyToWorkspace } from "./copy_to_workspace.ts";
import { deleteItem } from "./delete_item.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { cursorParam, idParam, limitParam, tagsSchema, titleSchema } from "./request_schemas.ts";
import { assetSchema, assetView, itemSchema, itemView, withUrls } from "./views.ts";
import { jsonResponse } from "../../shared/http/route_parts.ts";

const listRoute = createRoute({
  method: "get",
  path: "/library",
  summary: "The caller's library items, newest first, with signed URLs (1 hour)",
  request: {
    query: z.object({
      collection_id: z.uuid().optional(),
      tag: safeText(64).optional(),
      favorite: z.enum(["true", "false"]).optional(),
      type: z.enum(MEDIA_KINDS).optional(),
      limit: limitParam,
      cursor: cursorParam,
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(itemSchema), next_cursor: z.string().nullable() }),
      "A page of items",
    ),
    ...errorResponses(400, 401),
  },
});

const patchBody = z.strictObject({
  custom_title: titleSchema.nullable().optional(),
  tags: tagsSchema.optional(),
  is_favorite: z.boolean().optional(),
  visibility: z.enum(["private", "unlisted", "public"]).optional(),
  collection_id: z.uuid().nullable().optional(),
}).refine((b) => Object.keys(b).length > 0, "name at least one field to change")
  .openapi("LibraryPatch");

const patchRoute = createRoute({
  method: "patch",
  path: "/library/{id}",
  summary: "Change an item's title, tags, favourite flag, visibility or collection",
  request: {
    params: idParam,
    body: { required: true, content: { "application/json": { schema: patchBody } } },
  },
  responses: {
    200: jsonResponse(z.object({ item: itemSchema }), "The item"),
    ...errorResponses(400, 401, 404),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/library/{id}",
  summary: "Delete a library item and its objects",
  request: { params: idParam },
  responses: {
    200: jsonResponse(z.object({ deleted: z.literal(true) }), "Deleted"),
    ...errorResponses(400, 401, 403, 404),
  },
});

const copyRoute = createRoute({
  method: "post",
  path: "/library/{id}/copy-to-workspace",
  summary: "Copy a library item back into the workspace (the same asset while it exists)",
  request: { params: idParam },
  responses: {
    200: jsonResponse(z.object({ asset: assetSchema, created: z.boolean() }), "The asset"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

/** Registers the library routes. */
export function registerLibraryRoutes(app: FunctionApp, deps: WorkspaceActionsDeps): void {
  app.use("/library", requireUser(deps.auth));
  app.use("/library/*", requireUser(deps.auth));
  app.openapi(listRoute, async (c) => {
    const caller = userCaller(c);
    const q = c.req.valid("query");
    const rows = await asUser(deps.db, caller.claims, (tx) =>
      library.ownItemsPage(tx, {
        collectionId: q.collection_id,
        tag: q.tag,
        favorite: q.favorite === undefined ? undefined : q.favorite === "true",
        type: q.type,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit,
      }));
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return c.json({
      items: await withUrls(deps.store, deps.log, caller.userId, page.map(itemView)),
      next_cursor: rows.length > q.limit && last
        ? encodeCursor({ at: last.created_at, id: last.id })
        : null,
    }, 200);
  });
  app.openapi(patchRoute, async (c) => {
    const caller = userCaller(c);
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    c.set("audit", { action: "library.update", resourceType: "library_item", resourceId: id });
    const [item] = await asUser(deps.db, caller.claims, async (tx) => {
      if (patch.collection_id) {
        const [own] = await collections.ownCollection(tx, patch.collection_id);
        if (!own) {
          throw new AppError("NOT_FOUND", "No such collection", {
            details: [{ field: "collection_id", message: "is not one of your collections" }],
          });
        }
      }
      return await library.updateOwn(tx, id, patch);
    });
    if (!item) throw new AppError("NOT_FOUND", "No such library item");
    return c.json({ item: itemView(item) }, 200);
  });
  app.openapi(deleteRoute, async (c) => {
    const caller = userCaller(c);
    const { id } = c.req.valid("param");
    c.set("audit", { action: "library.delete", resourceType: "library_item", resourceId: id });
    await deleteItem(deps, caller, id);
    return c.json({ deleted: true as const }, 200);
  });
  app.openapi(copyRoute, async (c) => {
    const caller = userCaller(c);
    const { id } = c.req.valid("param");
    c.set("audit", {
      action: "library.copy_to_workspace",
      resourceType: "library_item",
      resourceId: id,
    });
    const { asset, created } = await copyToWorkspace(deps, caller, id);
    return c.json({ asset: assetView(asset), created }, 200);
  });
}
