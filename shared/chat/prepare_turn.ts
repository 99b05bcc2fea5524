/**
 * Preparing a chat turn: the server decides the content tier and the model (an active chat model,
 * never a free-form string), builds the system prompt from the templates, fits the history, and
 * stores the user's message before the provider is called.
 */
import { asUser } from "../db/scopes.ts";
import * as conversations from "../db/tables/conversations.ts";
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
import { hiddenCharacterError } from "./linked_characters.ts";

const USE_CASE_BY_TYPE: Record<string, string[]> = {
  character_roleplay: ["character_roleplay"],
  roleplay: ["character_roleplay"],
  scene_roleplay: ["character_roleplay"],
  creative: ["chat_creative", "chat"],
  admin: ["chat_admin", "chat"],
};

/** Requests per user and minute when system_config sets no `chat_requests_per_minute`. */
export const DEFAULT_CHAT_PER_MINUTE = 20;

/**
 * Decides everything about the turn and stores the user's message. What needs no database (an
 * explicit model checked, the settings) is decided first; then one statement under the caller's
 * RLS (`open_chat_turn`) checks the conversation and the caller's standing, takes the chat
 * rate-limit slot, stores the message and reads the characters and history back: one round trip
 * before the provider is called, and nothing stored for a request refused.
 */
export async function prepareTurn(
  deps: ChatDeps,
  caller: ChatCaller,
  req: TurnRequest,
): Promise<PreparedTurn> {
  const pickModel = await modelChoice(deps, req.modelId);
  const settings = await readSettings(deps.db);
  const [{ turn: opened }] = await asUser(
    deps.db,
    caller.claims,
    (tx) =>
      conversations.openTurn(tx, {
        conversationId: req.conversationId,
        content: req.content,
        wantsNsfw: req.contentTier === "nsfw",
        wantsPromptOverride: req.systemPromptOverride !== undefined,
        historyLimit: settings.chat_history_messages,
        defaultPerMinute: DEFAULT_CHAT_PER_MINUTE,
        characterId: req.characterId,
      }),
  );
  switch (opened.outcome) {
    case "not_found":
      throw new AppError("NOT_FOUND", "No such conversation");
    case "nsfw_forbidden":
      throw fieldError("content_tier", "nsfw needs an age-verified account", "FORBIDDEN");
    case "override_forbidden":
      throw fieldError("system_prompt", "only admins may set the system prompt", "FORBIDDEN");
    case "character_not_found":
      throw await hiddenCharacterError(deps.db, req.characterId!);
    case "rate_limited":
      throw new AppError("RATE_LIMITED", "Too many requests; try again shortly", {
        retryAfter: Math.ceil(opened.wait_ms / 1000),
      });
  }
  const { conversation, message: userMessage } = opened;
  const allowed = opened.age_verified || opened.admin;
  const roleplay = ROLEPLAY_CONVERSATION_TYPES.includes(
    conversation.conversation_type as "roleplay",
  );
  const model = pickModel(roleplay);
  const character = opened.characters.filter((c) => c.id === conversation.character_id);
  const userCharacter = opened.characters.filter((c) => c.id === conversation.user_character_id);
  // NSFW only for an age-verified user or an admin who did not ask for SFW, with a character
  // rated for it (or none), on a model that allows it.
  const modelAllowsNsfw = (model.model.capabilities as { nsfw?: boolean }).nsfw !== false;
  const tier: ContentMode = allowed && req.contentTier !== "sfw" && modelAllowsNsfw &&
      character[0]?.content_rating !== "sfw"
    ? "nsfw"
    : "sfw";

  // The admin template is the admins' own, whatever type a conversation was given.
  const useCases = conversation.conversation_type === "admin" && !opened.admin
    ? ["chat"]
    : USE_CASE_BY_TYPE[conversation.conversation_type] ?? ["chat"];
  const template = await chooseTemplate(deps, {
    useCases,
    tier,
    jobType: roleplay ? "roleplay" : "chat",
    model,
  });
  const memory = conversation.memory_data as { summary?: string };
  const system = req.systemPromptOverride ?? buildSystemPrompt(
    template?.text ?? DEFAULT_SYSTEM_PROMPT[tier],
    {
      // A character rated for NSFW keeps its own instructions out of an SFW turn.
      character: character[0] && tier === "sfw" && character[0].content_rating !== "sfw"
        ? { ...character[0], system_prompt: null }
        : character[0] ?? null,
      userCharacter: userCharacter[0] ?? null,
      scene: conversation.current_location,
      summary: memory.summary ?? null,
    },
  );

  const window = contextWindow(model.model.capabilities);
  const earlier = opened.recent.slice(0, settings.chat_history_messages).filter((m) =>
    m.id !== userMessage.id
  );
  const { history } = fitHistory(earlier, window, system + req.content);
  return {
    conversation,
    userMessage,
    characterId: character[0]?.id ?? null,
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
    omitted: Math.max(0, opened.total - 1 - history.length),
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

/**
 * The model, decided before anything is stored: an explicit model must be an active chat model
 * (chat or roleplay task), else the default for the conversation's type (roleplay, falling back
 * to chat), known once the conversation is read. Both defaults come from the registry's cache.
 */
async function modelChoice(
  deps: ChatDeps,
  modelId: string | undefined,
): Promise<(roleplay: boolean) => ResolvedModel> {
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
    return () => primary;
  }
  const byTask = (task: string) =>
    deps.registry.resolve({ modality: "chat", task }).then(
      (r) => ({ model: r.primary }),
      (err: unknown) => ({ err }),
    );
  const [chat, roleplay] = await Promise.all([byTask("chat"), byTask("roleplay")]);
  // No chat model at all: refused before the message is stored.
  if ("err" in chat && "err" in roleplay) throw chat.err;
  return (isRoleplay) => {
    const pick = isRoleplay && "model" in roleplay ? roleplay : chat;
    if ("err" in pick) throw pick.err;
    return pick.model;
  };
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
