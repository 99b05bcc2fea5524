/**
 * The caller's conversations: create (linked characters and project checked first), list
 * (most recently active first, keyset pages), read, rename or archive, delete (with messages).
 * Every statement runs under the caller's RLS: another user's conversation is "not found".
 */
import { createRoute, z } from "@hono/zod-openapi";
import { checkLinks } from "../../shared/chat/linked_characters.ts";
import { asUser } from "../../shared/db/scopes.ts";
import * as conversations from "../../shared/db/tables/conversations.ts";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { decodeCursor, encodeCursor } from "../../shared/http/keyset_cursor.ts";
import { CONVERSATION_TYPES, MEMORY_TIERS } from "../../shared/vocabulary.ts";
import type { PlaygroundChatDeps } from "./app.ts";
import { conversationSchema, conversationView } from "./views.ts";

const title = z.string().trim().min(1).max(200);
const idParam = z.object({ id: z.uuid() });
const one = {
  description: "The conversation",
  content: { "application/json": { schema: z.object({ conversation: conversationSchema }) } },
};

const createConversation = createRoute({
  method: "post",
  path: "/conversations",
  summary: "Start a conversation (with a character, a persona and a project, all optional)",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            title: title.optional(),
            character_id: z.uuid().optional(),
            user_character_id: z.uuid().optional(),
            project_id: z.uuid().optional(),
            conversation_type: z.enum(CONVERSATION_TYPES).optional(),
            memory_tier: z.enum(MEMORY_TIERS).optional(),
          }),
        },
      },
    },
  },
  responses: { 201: { ...one, description: "Created" }, ...errorResponses(400, 403, 404) },
});

const listConversations = createRoute({
  method: "get",
  path: "/conversations",
  summary: "The caller's conversations, most recently active first",
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(200).optional(),
      status: z.enum(["active", "archived"]).optional(),
    }),
  },
  responses: {
    200: {
      description: "A page",
      content: {
        "application/json": {
          schema: z.object({
            conversations: z.array(conversationSchema),
            next_cursor: z.string().nullable(),
          }),
        },
      },
    },
  },
});

const getConversation = createRoute({
  method: "get",
  path: "/conversations/{id}",
  summary: "One of the caller's conversations",
  request: { params: idParam },
  responses: { 200: one, ...errorResponses(404) },
});

const patchConversation = createRoute({
  method: "patch",
  path: "/conversations/{id}",
  summary: "Rename, archive or restore a conversation",
  request: {
    params: idParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({ title: title.optional(), archived: z.boolean().optional() })
            .refine((b) => b.title !== undefined || b.archived !== undefined, {
              message: "give title or archived",
            }),
        },
      },
    },
  },
  responses: { 200: one, ...errorResponses(404) },
});

const deleteConversation = createRoute({
  method: "delete",
  path: "/conversations/{id}",
  summary: "Delete a conversation and its messages",
  request: { params: idParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
});

const notFound = () => new AppError("NOT_FOUND", "No such conversation");

/** Registers the conversation routes. */
export function registerConversations(app: FunctionApp, deps: PlaygroundChatDeps): void {
  app.use("/conversations", requireUser(deps.auth));
  app.use("/conversations/:id", requireUser(deps.auth));

  app.openapi(createConversation, async (c) => {
    const caller = userCaller(c);
    const body = c.req.valid("json");
    await checkLinks(deps.db, caller, {
      characterId: body.character_id,
      userCharacterId: body.user_character_id,
      projectId: body.project_id,
      conversationType: body.conversation_type,
    });
    const [row] = await asUser(deps.db, caller.claims, (tx) =>
      conversations.insert(tx, {
        title: body.title,
        conversation_type: body.conversation_type ??
          (body.character_id ? "character_roleplay" : "general"),
        character_id: body.character_id,
        user_character_id: body.user_character_id,
        project_id: body.project_id,
        memory_tier: body.memory_tier,
      }));
    c.set("audit", {
      action: "conversation.create",
      resourceType: "conversation",
      resourceId: row.id,
    });
    return c.json({ conversation: conversationView(row) }, 201);
  });

  app.openapi(listConversations, async (c) => {
    const caller = userCaller(c);
    const { limit, cursor, status } = c.req.valid("query");
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await asUser(
      deps.db,
      caller.claims,
      (tx) => conversations.ownPage(tx, { after, limit, status }),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json({
      conversations: page.map(conversationView),
      next_cursor: rows.length > limit && last
        ? encodeCursor({ at: last.updated_at, id: last.id })
        : null,
    }, 200);
  });

  app.openapi(getConversation, async (c) => {
    const caller = userCaller(c);
    const [row] = await asUser(
      deps.db,
      caller.claims,
      (tx) => conversations.own(tx, c.req.valid("param").id),
    );
    if (!row) throw notFound();
    return c.json({ conversation: conversationView(row) }, 200);
  });

  app.openapi(patchConversation, async (c) => {
    const caller = userCaller(c);
    const id = c.req.valid("param").id;
    const body = c.req.valid("json");
    c.set("audit", { action: "conversation.update", resourceType: "conversation", resourceId: id });
    const [row] = await asUser(deps.db, caller.claims, (tx) =>
      conversations.update(tx, id, {
        title: body.title,
        status: body.archived === undefined ? undefined : body.archived ? "archived" : "active",
      }));
    if (!row) throw notFound();
    return c.json({ conversation: conversationView(row) }, 200);
  });

  app.openapi(deleteConversation, async (c) => {
    const caller = userCaller(c);
    const id = c.req.valid("param").id;
    c.set("audit", { action: "conversation.delete", resourceType: "conversation", resourceId: id });
    const [row] = await asUser(deps.db, caller.claims, (tx) => conversations.remove(tx, id));
    if (!row) throw notFound();
    return c.body(null, 204);
  });
}
