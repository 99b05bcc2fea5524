/**
 * One chat turn, once prepared (`prepare_turn.ts`: tier, model, system prompt, history, the user's
 * message stored): streams the reply as it arrives and stores the assistant's message after, also
 * when the client went away mid-stream (kept as `partial`, as far as it was shown). A provider
 * error ends the stream with an error and stores no assistant message.
 */
import { asUser, type Claims } from "../db/scopes.ts";
import * as conversations from "../db/tables/conversations.ts";
import { sha256Hex } from "../encoding.ts";
import { chatFor } from "../providers/adapters.ts";
import type { ChatMessage, ChatUsage } from "../providers/chat_client.ts";
import type { ResolvedModel } from "../providers/registry.ts";
import { recordChatCall } from "../prompts/chat_calls.ts";
import type { ContentMode } from "../vocabulary.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { afterTurn } from "./after_turn.ts";

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
}

/** A turn ready to run: everything decided, the user's message stored. */
export interface PreparedTurn {
  conversation: conversations.Conversation;
  userMessage: conversations.Message;
  model: ResolvedModel;
  tier: ContentMode;
  messages: ChatMessage[];
  maxTokens: number;
  templateName: string | null;
  /** Messages older than what was sent (the summary covers them). */
  omitted: number;
  startedAt: number;
}

/** What a turn reports, in order: deltas, then one completed or one error. */
export type TurnEvent =
  | { type: "delta"; content: string }
  | { type: "completed"; message: conversations.Message; usage: TurnUsage }
  | { type: "error"; code: string; message: string };

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
  let shown = "";
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
        if (signal.aborted) break;
        await recordCall(deps, caller, turn, started, { error: event.message });
        yield {
          type: "error",
          code: "UPSTREAM_FAILED",
          message: "The model stopped with an error",
        };
        return;
      }
      // An aborted stream may simply end: what was shown is kept as partial below.
      if (signal.aborted) break;
      const usage = event.result.usage;
      const message = await storeReply(deps, caller, turn, event.result.text, "text");
      await recordCall(deps, caller, turn, started, {
        usage,
        generationId: event.result.generationId,
      });
      afterTurn(deps, caller, turn, message);
      yield { type: "completed", message, usage: usageOf(usage, event.result.model) };
      return;
    }
  } catch (err) {
    if (!signal.aborted) {
      deps.log.warn("chat provider call failed", { err });
      await recordCall(deps, caller, turn, started, { error: String(err) });
      yield { type: "error", code: "UPSTREAM_FAILED", message: "The model could not be reached" };
      return;
    }
  } finally {
    // The client went away mid-stream: what it was shown is kept, marked as partial.
    if (signal.aborted && shown.trim()) {
      await storeReply(deps, caller, turn, shown, "partial").catch((err) =>
        deps.log.error("storing a partial reply failed", { err })
      );
      await recordCall(deps, caller, turn, started, { error: CLIENT_LEFT });
    }
  }
}

async function storeReply(
  deps: ChatDeps,
  caller: ChatCaller,
  turn: PreparedTurn,
  text: string,
  type: "text" | "partial",
) {
  const [message] = await asUser(deps.db, caller.claims, (tx) =>
    conversations.insertMessage(tx, {
      conversationId: turn.conversation.id,
      sender: "assistant",
      content: text.trim() ? text : "(no reply)",
      type,
    }));
  return message;
}

const CLIENT_LEFT = "client disconnected";

async function recordCall(
  deps: ChatDeps,
  caller: ChatCaller,
  turn: PreparedTurn,
  started: number,
  outcome: { usage?: ChatUsage; generationId?: string; error?: string },
) {
  await recordChatCall(
    deps.commits,
    {
      model: turn.model,
      userId: caller.userId,
      requestType: "chat",
      started,
      metadata: { conversation_id: turn.conversation.id, tier: turn.tier },
    },
    outcome.error === undefined
      ? { ok: true, usage: outcome.usage, generationId: outcome.generationId }
      : {
        ok: false,
        error: new Error(outcome.error),
        // A stream the provider broke is its fault; a client that left is nobody's.
        fault: outcome.error !== CLIENT_LEFT,
      },
  ).catch((err) => deps.log.error("chat usage row failed", { err }));
}

function usageOf(u: ChatUsage | undefined, model: string): TurnUsage {
  return {
    prompt_tokens: u?.promptTokens ?? null,
    completion_tokens: u?.completionTokens ?? null,
    total_tokens: u?.totalTokens ?? null,
    cost_usd: u?.cost ?? null,
    model,
  };
}
