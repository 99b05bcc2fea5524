/**
 * The caller's collections: `GET /collections`, `POST /collections`, `PATCH /collections/:id`,
 * `DELETE /collections/:id` (its items stay in the library, unassigned). Everything runs under
 * the caller's RLS; `asset_count` is maintained by a trigger on user_library, so it is exact
 * after moves and deletes whatever path changed them.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asUser } from "../../shared/db/scopes.ts";
import * as collections from "../../shared/db/tables/user_collections.ts";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { safeText } from "../../shared/http/safe_text.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { idParam } from "./request_schemas.ts";
import { collectionSchema, collectionView } from "./views.ts";
import { jsonResponse } from "../../shared/http/route_parts.ts";

const name = safeText(100).pipe(z.string().trim().min(1));
const description = safeText(1000).nullable();
const one = z.object({ collection: collectionSchema });

const listRoute = createRoute({
  method: "get",
  path: "/collections",
  summary: "The caller's collections with exact item counts",
  responses: {
    200: jsonResponse(z.object({ collections: z.array(collectionSchema) }), "Collections"),
    ...errorResponses(401),
  },
});

const createRoute_ = createRoute({
  method: "post",
  path: "/collections",
  summary: "Create a collection (names are unique per user)",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({ name, description: description.optional() }),
        },
      },
    },
  },
  responses: {
    201: jsonResponse(one, "The collection"),
    ...errorResponses(400, 401, 409),
  },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/collections/{id}",
  summary: "Rename or re-describe a collection",
  request: {
    params: idParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({ name: name.optional(), description: description.optional() })
            .refine((b) => Object.keys(b).length > 0, "name at least one field to change"),
        },
      },
    },
  },
  responses: {
    200: jsonResponse(one, "The collection"),
    ...errorResponses(400, 401, 404, 409),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/collections/{id}",
  summary: "Delete a collection; its items stay in the library, unassigned",
  request: { params: idParam },
  responses: {
    200: jsonResponse(z.object({ deleted: z.literal(true) }), "Deleted"),
    ...errorResponses(400, 401, 404),
  },
});

// A second collection with the same name is a 409 naming the field, not a 500.
function duplicateName(err: unknown): never {
  if ((err as { code?: unknown })?.code === "23505") {
    throw new AppError("CONFLICT", "You already have a collection with this name", {
      details: [{ field: "name", message: "is already used" }],
      cause: err,
    });
  }
  throw err;
}

/** Registers the collection routes. */
export function registerCollectionRoutes(app: FunctionApp, deps: WorkspaceActionsDeps): void {
  app.use("/collections", requireUser(deps.auth));
  app.use("/collections/*", requireUser(deps.auth));
  app.openapi(listRoute, async (c) => {
    const caller = userCaller(c);
    const rows = await asUser(deps.db, caller.claims, (tx) => collections.ownCollections(tx));
    return c.json({ collections: rows.map(collectionView) }, 200);
  });
  app.openapi(createRoute_, async (c) => {
    const caller = userCaller(c);
    const body = c.req.valid("json");
    const [row] = await asUser(
      deps.db,
      caller.claims,
      (tx) => collections.create(tx, { name: body.name, description: body.description ?? null }),
    ).catch(duplicateName);
    c.set("audit", { action: "collection.create", resourceType: "collection", resourceId: row.id });
    return c.json({ collection: collectionView(row) }, 201);
  });
  app.openapi(patchRoute, async (c) => {
    const caller = userCaller(c);
    const { id } = c.req.valid("param");
    c.set("audit", { action: "collection.update", resourceType: "collection", resourceId: id });
    const [row] = await asUser(
      deps.db,
      caller.claims,
      (tx) => collections.update(tx, id, c.req.valid("json")),
    ).catch(duplicateName);
    if (!row) throw new AppError("NOT_FOUND", "No such collection");
    return c.json({ collection: collectionView(row) }, 200);
  });
  app.openapi(deleteRoute, async (c) => {
    const caller = userCaller(c);
    const { id } = c.req.valid("param");
    c.set("audit", { action: "collection.delete", resourceType: "collection", resourceId: id });
    const [row] = await asUser(deps.db, caller.claims, (tx) => collections.remove(tx, id));
    if (!row) throw new AppError("NOT_FOUND", "No such collection");
    return c.json({ deleted: true as const }, 200);
  });
}
