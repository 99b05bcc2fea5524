/**
 * `POST /playground-chat`: the reference frontend's body (`conversation_id`, `message`,
 * `character_id`, `content_tier`, `roleplay_settings`, ...) answered in its shape, through the
 * same turn as the conversation routes. What the reference system trusted is checked here: the
 * conversation must be the caller's, a new character must be one they may use, the content tier
 * is the server's decision, `model_variant` picks only an active chat model (never a free-form
 * string sent to the provider), and `system_prompt_override` is for admins only.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { runTurn } from "../../shared/chat/chat_turn.ts";
import { prepareTurn } from "../../shared/chat/prepare_turn.ts";
import { isUuid } from "../../shared/encoding.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { PlaygroundChatDeps } from "./app.ts";
import { collect } from "./message_routes.ts";

const referenceBodySchema = z.object({
  conversation_id: z.uuid(),
  message: z.string().trim().min(1).max(8000),
  character_id: z.uuid().optional(),
  content_tier: z.enum(["sfw", "nsfw"]).optional(),
  model_variant: z.string().max(200).optional(),
  system_prompt_override: z.string().trim().min(1).max(12_000).optional(),
  roleplay_settings: z.record(z.string(), z.unknown()).optional(),
}).loose().openapi("ReferenceChatRequest");

const referenceAnswerSchema = z.object({
  success: z.literal(true),
  response: z.string(),
  conversation_id: z.uuid(),
  message_id: z.uuid(),
  generation_time: z.number(),
  context_type: z.string(),
  content_tier: z.enum(["sfw", "nsfw"]),
  model_used: z.string(),
  model_provider: z.string(),
  prompt_template_name: z.string().nullable(),
  template_meta: z.object({ template_name: z.string().nullable() }),
  usage: z.looseObject({}),
}).openapi("ReferenceChatAnswer");

const route = createRoute({
  method: "post",
  path: "/",
  summary: "The reference frontend's chat call (one reply, not streamed)",
  request: {
    body: { required: true, content: { "application/json": { schema: referenceBodySchema } } },
  },
  responses: {
    200: {
      description: "The reply, in the reference shape",
      content: { "application/json": { schema: referenceAnswerSchema } },
    },
    ...errorResponses(403, 404, 429, 502, 503),
  },
});

/** Registers the route. */
export function registerReferenceChat(app: FunctionApp, deps: PlaygroundChatDeps): void {
  app.use("/", requireUser(deps.auth));
  app.openapi(route, async (c) => {
    const caller = userCaller(c);
    const body = c.req.valid("json");
    const id = body.conversation_id;
    c.set("audit", { action: "chat.message", resourceType: "conversation", resourceId: id });
    // One round trip: open_chat_turn checks the conversation and the character (a switch commits
    // with the turn, so a refused turn changes nothing).
    const turn = await prepareTurn(deps.chat, caller, {
      conversationId: id,
      content: body.message,
      modelId: await modelOf(deps, body.model_variant),
      contentTier: body.content_tier,
      systemPromptOverride: body.system_prompt_override,
      characterId: body.character_id,
    });
    const done = await collect(runTurn(deps.chat, caller, turn, c.req.raw.signal));
    return c.json({
      success: true as const,
      response: done.message.content,
      conversation_id: id,
      message_id: done.message.id,
      generation_time: Math.round(performance.now() - turn.startedAt),
      context_type: turn.conversation.conversation_type,
      content_tier: turn.tier,
      model_used: done.usage.model,
      model_provider: turn.model.provider.row.name,
      prompt_template_name: turn.templateName,
      template_meta: { template_name: turn.templateName },
      usage: done.usage,
    }, 200);
  });
}

/** A `model_variant` that names an active chat model by id or key; anything else is ignored. */
async function modelOf(deps: PlaygroundChatDeps, variant: string | undefined) {
  if (!variant) return undefined;
  const match = await deps.chat.registry.resolve(
    isUuid(variant)
      ? { modality: "chat", modelId: variant }
      : { modality: "chat", task: "chat", modelKey: variant },
  ).catch(() => undefined);
  return match && ["chat", "roleplay"].includes(match.primary.model.task)
    ? match.primary.model.id
    : undefined;
}
