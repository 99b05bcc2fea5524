/**
 * One chat turn, once prepared (`prepare_turn.ts`: tier, model, system prompt, history, the user's
 * message stored): streams the reply as it arrives and stores the assistant's message after, also
 * when the client went away mid-stream (kept as `partial`, as far as it was shown). A provider
 * error ends the stream with an error and stores no assistant message.
 */
import { asService, type Claims } from "../db/scopes.ts";
import * as conversations from "../db/tables/conversations.ts";
import { sha256Hex } from "../encoding.ts";
import type { ErrorCode } from "../errors.ts";
import { chatFor } from "../providers/adapters.ts";
import type { ChatMessage, ChatResult, ChatUsage } from "../providers/chat_client.ts";
import type { ResolvedModel } from "../providers/registry.ts";
import { type ChatCallOutcome, recordChatCall } from "../prompts/chat_calls.ts";
import type { ContentMode } from "../vocabulary.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { afterTurn } from "./after_turn.ts";
import { firstChars, MESSAGE_MAX_CHARS, storableText } from "./storable_text.ts";

/** The caller of a turn. */
export interface ChatCaller {
  userId: string;
  claims: Claims;
}

/** What the user sent. */
export interface TurnRequest {
  conversationId: string;
  content: string;
  modelId?: string;
  /** What the user asked for; the server decides what is honoured. */
  contentTier?: ContentMode;
  /** Admins only: replaces the template's system prompt. */
  systemPromptOverride?: string;
  /** A character to switch the conversation to, with this turn (the caller's own or public). */
  characterId?: string;
}

/** A turn ready to run: everything decided, the user's message stored. */
export interface PreparedTurn {
  conversation: conversations.Conversation;
  userMessage: conversations.Message;
  /** The linked character the caller may use (their own or public), if any: the model plays it. */
  characterId: string | null;
  model: ResolvedModel;
  tier: ContentMode;
  messages: ChatMessage[];
  maxTokens: number;
  templateName: string | null;
  /** Messages older than what was sent (the summary covers them). */
  omitted: number;
  startedAt: number;
}

/**
 * What a turn reports, in order: deltas, then one completed or one error. An error's `cause` is
 * what failed (a ProviderError, a database error), for the edge to map to its status; its `code`
 * and `message` are safe to show as they are.
 */
export type TurnEvent =
  | { type: "delta"; content: string }
  | { type: "completed"; message: conversations.Message; usage: TurnUsage }
  | { type: "error"; code: ErrorCode; message: string; cause?: unknown };

/** Usage of the reply, as the provider's final chunk reported it. */
export interface TurnUsage {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost_usd: number | null;
  model: string;
}

/** Runs the turn against the provider, streaming; `signal` aborts when the client goes away. */
export async function* runTurn(
  deps: ChatDeps,
  caller: ChatCaller,
  turn: PreparedTurn,
  signal: AbortSignal,
): AsyncGenerator<TurnEvent> {
  const started = performance.now();
  // Set once the call is recorded: a client that leaves while an error is recorded or sent must
  // not have the same call recorded again (or a partial reply stored after the error).
  let recorded = false;
  const record = (outcome: ChatCallOutcome) => {
    recorded = true;
    return recordChatCall(deps.commits, {
      model: turn.model,
      userId: caller.userId,
      requestType: "chat",
      started,
      metadata: { conversation_id: turn.conversation.id, tier: turn.tier },
    }, outcome).catch((err) => deps.log.error("chat usage row failed", { err }));
  };
  let shown = "";
  let reply: ChatResult | undefined;
  let last: Partial<ChatResult> = {};
  const defaults = turn.model.model.input_defaults as { temperature?: number };
  const stream = chatFor(turn.model.provider, { appTitle: "Playground chat" }).stream({
    model: turn.model.model.model_key,
    messages: turn.messages,
    maxTokens: turn.maxTokens,
    temperature: defaults.temperature,
    user: sha256Hex(caller.userId).slice(0, 32),
    signal,
  });
  try {
    for await (const event of stream) {
      if (event.type === "delta") {
        shown += event.text;
        yield { type: "delta", content: event.text };
        continue;
      }
      if (event.type === "error") {
        last = event.partial;
        if (signal.aborted) break;
        // The provider broke the stream after it started: its fault, whatever was billed.
        await record({ ok: false, error: new Error(event.message), fault: true, ...billed(last) });
        yield {
          type: "error",
          code: "UPSTREAM_FAILED",
          message: "The model stopped with an error",
        };
        return;
      }
      // An aborted stream may simply end: what was shown is kept as partial below.
      if (signal.aborted) break;
      reply = event.result;
    }
  } catch (err) {
    if (!signal.aborted) {
      deps.log.warn("chat provider call failed", { err });
      // A ProviderError says whose fault it was (a 429 or a refused request is not the model's).
      await record({ ok: false, error: err });
      yield {
        type: "error",
        code: "UPSTREAM_FAILED",
        message: "The model could not be reached",
        cause: err,
      };
      return;
    }
  } finally {
    if (signal.aborted && !reply && !recorded) {
      // The client went away: the call is recorded (the provider may bill it) and what the
      // client was shown is kept, marked as partial.
      await record({ ok: false, error: new Error(CLIENT_LEFT), fault: false, ...billed(last) });
      if (shown.trim()) {
        await storeReply(deps, turn, shown, "partial").catch((err) =>
          deps.log.warn("storing a partial reply failed", { err })
        );
      }
    }
  }
  if (!reply) return;
  // The provider answered: the call is recorded as the success it was before the reply is stored,
  // so a conversation deleted meanwhile neither loses the usage nor counts against the model.
  await record({ ok: true, usage: reply.usage, generationId: reply.generationId });
  let message: conversations.Message;
  try {
    message = await storeReply(deps, turn, reply.text, "text");
  } catch (err) {
    yield storeFailed(deps, err);
    return;
  }
  afterTurn(deps, caller, turn, message);
  yield { type: "completed", message, usage: usageOf(reply.usage, reply.model) };
}

/** Usage and id of a call that failed or was left after the provider started answering. */
function billed(partial: Partial<ChatResult>) {
  return { usage: partial.usage, generationId: partial.generationId };
}

/** The reply could not be stored: gone (deleted meanwhile: the insert's foreign key) or a fault. */
function storeFailed(deps: ChatDeps, err: unknown): TurnEvent {
  if ((err as { code?: unknown } | null)?.code === FOREIGN_KEY_VIOLATION) {
    return {
      type: "error",
      code: "NOT_FOUND",
      message: "The conversation was deleted during the reply",
    };
  }
  deps.log.error("storing a reply failed", { err });
  return { type: "error", code: "INTERNAL", message: "The reply could not be saved", cause: err };
}

async function storeReply(
  deps: ChatDeps,
  turn: PreparedTurn,
  text: string,
  type: "text" | "partial",
) {
  // A reply longer than a message holds is stored cut, as a partial one (the client was shown
  // all of it as it streamed).
  const stored = firstChars(storableText(text) || "(no reply)", MESSAGE_MAX_CHARS);
  // Service path: users may store only their own side of a conversation (RLS lets them insert
  // `user` messages); the conversation is the turn's, which open_chat_turn read under their RLS.
  const [message] = await asService(deps.db, (tx) =>
    conversations.insertMessage(tx, {
      conversationId: turn.conversation.id,
      sender: "assistant",
      content: stored.text,
      type: stored.cut ? "partial" : type,
    }));
  return message;
}

const CLIENT_LEFT = "client disconnected";
const FOREIGN_KEY_VIOLATION = "23503";

function usageOf(u: ChatUsage | undefined, model: string): TurnUsage {
  return {
    prompt_tokens: u?.promptTokens ?? null,
    completion_tokens: u?.completionTokens ?? null,
    total_tokens: u?.totalTokens ?? null,
    cost_usd: u?.cost ?? null,
    model,
  };
}
