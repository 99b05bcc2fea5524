/**
 * A conversation's messages: keyset pages of its history, and a new message answered by the
 * model — streamed as server-sent events by default (`message.delta`, then `message.completed`
 * or `error`, keep-alive comments between), or as one JSON answer with `stream: false`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { runTurn, type TurnEvent } from "../../shared/chat/chat_turn.ts";
import { prepareTurn } from "../../shared/chat/prepare_turn.ts";
import { asUser } from "../../shared/db/scopes.ts";
import * as conversations from "../../shared/db/tables/conversations.ts";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses, toAppError } from "../../shared/http/error_envelope.ts";
import { decodeCursor, encodeCursor } from "../../shared/http/keyset_cursor.ts";
import { CONTENT_MODES } from "../../shared/vocabulary.ts";
import type { PlaygroundChatDeps } from "./app.ts";
import { eventStream } from "./event_stream.ts";
import { messageSchema, messageView } from "./views.ts";

const usageSchema = z.object({
  prompt_tokens: z.number().int().nullable(),
  completion_tokens: z.number().int().nullable(),
  total_tokens: z.number().int().nullable(),
  cost_usd: z.number().nullable(),
  model: z.string(),
}).openapi("ChatUsage");

const listMessages = createRoute({
  method: "get",
  path: "/conversations/{id}/messages",
  summary: "A page of a conversation's messages, oldest first, before a keyset position",
  request: {
    params: z.object({ id: z.uuid() }),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      before: z.string().max(200).optional(),
    }),
  },
  responses: {
    200: {
      description: "A page (next_before fetches the older one)",
      content: {
        "application/json": {
          schema: z.object({
            messages: z.array(messageSchema),
            next_before: z.string().nullable(),
          }),
        },
      },
    },
    ...errorResponses(404),
  },
});

const postMessage = createRoute({
  method: "post",
  path: "/conversations/{id}/messages",
  summary: "Send a message; the reply streams as server-sent events unless stream is false",
  request: {
    params: z.object({ id: z.uuid() }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            content: z.string().trim().min(1).max(8000),
            model_id: z.uuid().optional(),
            content_tier: z.enum(CONTENT_MODES).optional(),
            stream: z.boolean().default(true),
            /** Admins only: replaces the template's system prompt. */
            system_prompt: z.string().trim().min(1).max(12_000).optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "The reply: text/event-stream, or JSON with stream false",
      content: {
        "application/json": {
          schema: z.object({ message: messageSchema, usage: usageSchema }),
        },
        "text/event-stream": {
          schema: z.string().openapi({
            description: "events message.delta {content}, message.completed {message, usage}, " +
              "error {code, message}; comments keep the connection alive",
          }),
        },
      },
    },
    ...errorResponses(403, 404, 429, 502, 503),
  },
});

/** Registers the message routes. */
export function registerMessages(app: FunctionApp, deps: PlaygroundChatDeps): void {
  app.use("/conversations/:id/messages", requireUser(deps.auth));

  app.openapi(listMessages, async (c) => {
    const caller = userCaller(c);
    const id = c.req.valid("param").id;
    const { limit, before } = c.req.valid("query");
    const position = before ? decodeCursor(before, "before") : undefined;
    const [[conversation], rows] = await asUser(deps.db, caller.claims, (tx) =>
      [
        conversations.own(tx, id),
        conversations.messagesBefore(tx, id, { before: position, limit }),
      ] as const);
    if (!conversation) throw new AppError("NOT_FOUND", "No such conversation");
    const page = rows.slice(0, limit);
    const oldest = page.at(-1);
    return c.json({
      messages: page.reverse().map(messageView),
      next_before: rows.length > limit && oldest
        ? encodeCursor({ at: oldest.created_at, id: oldest.id })
        : null,
    }, 200);
  });

  app.openapi(postMessage, async (c) => {
    const caller = userCaller(c);
    const id = c.req.valid("param").id;
    const body = c.req.valid("json");
    c.set("audit", { action: "chat.message", resourceType: "conversation", resourceId: id });
    const turn = await prepareTurn(deps.chat, caller, {
      conversationId: id,
      content: body.content,
      modelId: body.model_id,
      contentTier: body.content_tier,
      systemPromptOverride: body.system_prompt,
    });
    if (body.stream) {
      return eventStream(async function* (signal) {
        for await (const e of runTurn(deps.chat, caller, turn, signal)) yield sseOf(e);
      }, { requestSignal: c.req.raw.signal }) as never;
    }
    const done = await collect(runTurn(deps.chat, caller, turn, c.req.raw.signal));
    return c.json({ message: messageView(done.message), usage: done.usage }, 200);
  });
}

function sseOf(e: TurnEvent) {
  if (e.type === "delta") return { event: "message.delta", data: { content: e.content } };
  if (e.type === "completed") {
    return {
      event: "message.completed",
      data: { message: messageView(e.message), usage: e.usage },
    };
  }
  const err = turnError(e);
  return {
    event: "error",
    data: {
      code: err.code,
      message: err.message,
      ...(err.retryAfter !== undefined ? { retry_after: Math.ceil(err.retryAfter) } : {}),
    },
  };
}

/**
 * The envelope's error for a turn's error event: a provider's failure keeps its meaning (an outage
 * or the provider's own limit is a 503 with Retry-After, a refusal a 502).
 */
export function turnError(e: Extract<TurnEvent, { type: "error" }>): AppError {
  if (e.code === "UPSTREAM_FAILED" && e.cause !== undefined) return toAppError(e.cause);
  return new AppError(e.code, e.message);
}

/**
 * The whole reply of a turn, for answers that are not streamed.
 * @throws {AppError} from {@link turnError} when the turn failed (no assistant message is stored)
 */
export async function collect(events: AsyncIterable<TurnEvent>) {
  for await (const e of events) {
    if (e.type === "completed") return e;
    if (e.type === "error") throw turnError(e);
  }
  throw new AppError("UPSTREAM_FAILED", "The model gave no reply");
}
