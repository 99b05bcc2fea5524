/**
 * Preparing a chat turn: the server decides the content tier and the model (an active chat model,
 * never a free-form string), builds the system prompt from the templates, fits the history, and
 * stores the user's message before the provider is called.
 */
import { asUser } from "../db/scopes.ts";
import * as characters from "../db/tables/characters.ts";
import * as conversations from "../db/tables/conversations.ts";
import * as profiles from "../db/tables/profiles.ts";
import { readSettings } from "../db/tables/system_config.ts";
import { AppError } from "../errors.ts";
import type { ChatMessage } from "../providers/chat_client.ts";
import type { ResolvedModel } from "../providers/registry.ts";
import { selectTemplate } from "../prompts/template_selection.ts";
import { type ContentMode, ROLEPLAY_CONVERSATION_TYPES } from "../vocabulary.ts";
import type { ChatDeps } from "./chat_deps.ts";
import type { ChatCaller, PreparedTurn, TurnRequest } from "./chat_turn.ts";
import { contextWindow, fitHistory } from "./history.ts";
import { buildSystemPrompt } from "./system_prompt.ts";

const USE_CASE_BY_TYPE: Record<string, string[]> = {
  character_roleplay: ["character_roleplay"],
  roleplay: ["character_roleplay"],
  scene_roleplay: ["character_roleplay"],
  creative: ["chat_creative", "chat"],
  admin: ["chat_admin", "chat"],
};

/** Decides everything about the turn and stores the user's message. */
export async function prepareTurn(
  deps: ChatDeps,
  caller: ChatCaller,
  req: TurnRequest,
  /**
   * Settled before anything is written (a rate limit checked meanwhile): the reads and decisions
   * overlap it, the user's message is stored only once it passed.
   */
  gate: Promise<void> = Promise.resolve(),
): Promise<PreparedTurn> {
  // A rejected gate is awaited below; until then it must not count as unhandled.
  gate.catch(() => {});
  const [[conversation], [standing]] = await asUser(
    deps.db,
    caller.claims,
    (tx) => [conversations.own(tx, req.conversationId), profiles.callerStanding(tx)] as const,
  );
  if (!conversation) throw new AppError("NOT_FOUND", "No such conversation");
  const allowed = standing?.age_verified === true || standing?.admin === true;
  if (req.contentTier === "nsfw" && !allowed) {
    throw fieldError("content_tier", "nsfw needs an age-verified account", "FORBIDDEN");
  }
  if (req.systemPromptOverride !== undefined && standing?.admin !== true) {
    throw fieldError("system_prompt", "only admins may set the system prompt", "FORBIDDEN");
  }
  const roleplay = ROLEPLAY_CONVERSATION_TYPES.includes(
    conversation.conversation_type as "roleplay",
  );
  const model = await chooseModel(deps, req.modelId, roleplay);
  const ids = [conversation.character_id, conversation.user_character_id].filter((id) =>
    id !== null
  );
  const linked = ids.length > 0
    ? await asUser(deps.db, caller.claims, (tx) => characters.visibleByIds(tx, ids))
    : [];
  const character = linked.filter((c) => c.id === conversation.character_id);
  const userCharacter = linked.filter((c) => c.id === conversation.user_character_id);
  // NSFW only for an age-verified user or an admin who did not ask for SFW, with a character
  // rated for it (or none), on a model that allows it.
  const modelAllowsNsfw = (model.model.capabilities as { nsfw?: boolean }).nsfw !== false;
  const tier: ContentMode = allowed && req.contentTier !== "sfw" && modelAllowsNsfw &&
      character[0]?.content_rating !== "sfw"
    ? "nsfw"
    : "sfw";

  const settings = await readSettings(deps.db);
  const template = await chooseTemplate(deps, {
    useCases: USE_CASE_BY_TYPE[conversation.conversation_type] ?? ["chat"],
    tier,
    jobType: roleplay ? "roleplay" : "chat",
    model,
  });
  const memory = conversation.memory_data as { summary?: string };
  const system = req.systemPromptOverride ?? buildSystemPrompt(
    template?.text ?? DEFAULT_SYSTEM_PROMPT[tier],
    {
      character: character[0] ?? null,
      userCharacter: userCharacter[0] ?? null,
      scene: conversation.current_location,
      summary: memory.summary ?? null,
    },
  );

  await gate;
  // The user's message is stored first: whatever the provider does, it is not lost.
  const [[userMessage], recent, [{ n: total }]] = await asUser(deps.db, caller.claims, (tx) =>
    [
      conversations.insertMessage(tx, {
        conversationId: conversation.id,
        sender: "user",
        content: req.content,
      }),
      conversations.messagesBefore(tx, conversation.id, { limit: settings.chat_history_messages }),
      conversations.messageCount(tx, conversation.id),
    ] as const);
  const window = contextWindow(model.model.capabilities);
  const earlier = recent.slice(0, settings.chat_history_messages).filter((m) =>
    m.id !== userMessage.id
  );
  const { history } = fitHistory(earlier, window, system + req.content);
  return {
    conversation,
    userMessage,
    model,
    tier,
    messages: [
      { role: "system", content: system },
      ...history.map((m): ChatMessage => ({
        role: m.sender === "user" ? "user" : "assistant",
        content: m.content,
      })),
      { role: "user", content: req.content },
    ],
    maxTokens: window.replyTokens,
    templateName: req.systemPromptOverride !== undefined ? "override" : template?.name ?? null,
    omitted: Math.max(0, total - 1 - history.length),
    startedAt: performance.now(),
  };
}

/**
 * The template for the conversation type and tier (the first use case that has one; never the
 * other tier's). A miss asks the database again: a template added a moment ago must not look
 * missing because of the cache.
 */
async function chooseTemplate(
  deps: ChatDeps,
  q: { useCases: string[]; tier: ContentMode; jobType: string; model: ResolvedModel },
): Promise<{ name: string; text: string } | null> {
  for (const recheck of [false, true]) {
    const { snapshot, cacheHit } = await deps.catalog.read(recheck);
    for (const useCase of q.useCases) {
      const choice = selectTemplate(snapshot.templates, {
        useCase,
        contentMode: q.tier,
        jobType: q.jobType,
        targetModel: q.model.model.model_key,
        targetFamily: q.model.model.model_family,
        enhancerModel: q.model.model.model_key,
      });
      if (choice) {
        return { name: choice.template.template_name, text: choice.template.system_prompt };
      }
    }
    if (!cacheHit) break;
  }
  return null;
}

/** The model: an explicit active chat model (chat or roleplay task), else the default. */
async function chooseModel(deps: ChatDeps, modelId: string | undefined, roleplay: boolean) {
  if (modelId) {
    const { primary } = await deps.registry.resolve({ modality: "chat", modelId }).catch(
      (err) => {
        if (err instanceof AppError && err.code === "BAD_REQUEST") {
          throw fieldError("model_id", "not an active chat model");
        }
        throw err;
      },
    );
    if (!["chat", "roleplay"].includes(primary.model.task)) {
      throw fieldError("model_id", "not a chat model");
    }
    return primary;
  }
  const task = roleplay ? "roleplay" : "chat";
  try {
    return (await deps.registry.resolve({ modality: "chat", task })).primary;
  } catch (err) {
    if (!roleplay) throw err;
    return (await deps.registry.resolve({ modality: "chat", task: "chat" })).primary;
  }
}

function fieldError(
  field: string,
  message: string,
  code: "BAD_REQUEST" | "FORBIDDEN" = "BAD_REQUEST",
) {
  return new AppError(code, `Invalid ${field}: ${message}`, { details: [{ field, message }] });
}

/** When no template fits (never a mode swap): a plain instruction of the same tier. */
const DEFAULT_SYSTEM_PROMPT: Record<ContentMode, string> = {
  sfw: "You are a helpful, friendly assistant. Keep every reply safe for work.",
  nsfw: "You are a candid assistant talking with a verified adult.",
};
