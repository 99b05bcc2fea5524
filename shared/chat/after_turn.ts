/**
 * What follows a completed turn, after the response: the character's interaction count (one
 * atomic statement), a short generated title for a conversation's first exchange, and every few
 * turns a refreshed rolling summary of the turns that no longer fit the model's context, so a
 * long conversation keeps its thread. Both generations go through the same provider path as the
 * turn, and their usage is recorded the same way.
 */
import { asService, asUser } from "../db/scopes.ts";
import * as characters from "../db/tables/characters.ts";
import * as conversations from "../db/tables/conversations.ts";
import { chatFor } from "../providers/adapters.ts";
import { recordChatCall } from "../prompts/chat_calls.ts";
import { cleanEnhanced } from "../prompts/clean_prompt.ts";
import type { ChatDeps } from "./chat_deps.ts";
import type { ChatCaller, PreparedTurn } from "./chat_turn.ts";
import { storableText } from "./storable_text.ts";

/** A summary is refreshed once every this many turns while older turns are left out. */
export const SUMMARY_EVERY_TURNS = 4;
/** The title every conversation starts with. */
export const DEFAULT_TITLE = "New Conversation";

/** Starts the follow-up work in the background; the interaction count is awaited there too. */
export function afterTurn(
  deps: ChatDeps,
  caller: ChatCaller,
  turn: PreparedTurn,
  reply: conversations.Message,
): void {
  // Only a character the caller can still see (a private one of someone else's is not counted).
  const characterId = turn.characterId;
  if (characterId) {
    // Service path: users cannot write the counter; one statement keeps it exact under load.
    deps.background(asService(deps.db, (tx) => characters.countInteraction(tx, characterId)));
  }
  if (turn.conversation.title === DEFAULT_TITLE) {
    deps.background(nameConversation(deps, caller, turn, reply));
  }
  const turns = Math.floor((turn.omitted + turn.messages.length) / 2);
  if (turn.omitted > 0 && turns % SUMMARY_EVERY_TURNS === 0) {
    deps.background(refreshSummary(deps, caller, turn));
  }
}

/** A few words naming the conversation, from its first exchange. */
async function nameConversation(
  deps: ChatDeps,
  caller: ChatCaller,
  turn: PreparedTurn,
  reply: conversations.Message,
): Promise<void> {
  const text = await generate(deps, caller, turn, [
    {
      role: "system",
      content: "Name this conversation in at most six words. Reply with the title only.",
    },
    { role: "user", content: `${turn.userMessage.content}\n\n${reply.content}`.slice(0, 4000) },
  ], 24);
  // cleanEnhanced drops control characters and lone surrogates; the cut is by code point, so
  // no character is split in two.
  const title = [...cleanEnhanced(text ?? "").replace(/[.!]+$/, "")].slice(0, 80).join("").trim();
  if (!title) return;
  // As the user: the title is theirs to change, and RLS keeps it to their conversation.
  await asUser(
    deps.db,
    caller.claims,
    (tx) => conversations.update(tx, turn.conversation.id, { title }),
  );
}

/** Folds the turns the model no longer sees into the conversation's summary. */
async function refreshSummary(deps: ChatDeps, caller: ChatCaller, turn: PreparedTurn) {
  // Newest first: the reply, the user's message, the history the model was sent, then what it
  // no longer sees (system prompt aside, turn.messages is the history plus the user's message).
  const seen = turn.messages.length; // history + user message + reply
  const older = await asUser(
    deps.db,
    caller.claims,
    (tx) => conversations.messagesBefore(tx, turn.conversation.id, { limit: 200 + seen }),
  );
  const outside = older.slice(seen).reverse();
  if (outside.length === 0) return;
  const previous = (turn.conversation.memory_data as { summary?: string }).summary;
  const transcript = outside.map((m) => `${m.sender}: ${m.content}`).join("\n").slice(-12_000);
  const summary = await generate(deps, caller, turn, [
    {
      role: "system",
      content: "Summarise the conversation so far for the assistant's memory in under 200 words: " +
        "names, facts, decisions, open threads. Reply with the summary only.",
    },
    {
      role: "user",
      content: `${previous ? `Earlier summary:\n${previous}\n\n` : ""}Messages:\n${transcript}`,
    },
  ], 400);
  // jsonb refuses U+0000 as text columns do: what the model wrote is stored without it.
  const kept = storableText(summary ?? "").trim();
  if (!kept) return;
  // Service path: users cannot write memory_data (it reaches the system prompt); the id is the
  // turn's, which open_chat_turn read under the caller's RLS.
  await asService(deps.db, (tx) =>
    conversations.setMemory(tx, turn.conversation.id, {
      ...(turn.conversation.memory_data as Record<string, unknown>),
      summary: kept,
      summarized_messages: outside.length,
      summarized_at: new Date().toISOString(),
    }));
}

/** One completion on the turn's model; its usage row is written; undefined on failure. */
async function generate(
  deps: ChatDeps,
  caller: ChatCaller,
  turn: PreparedTurn,
  messages: { role: "system" | "user"; content: string }[],
  maxTokens: number,
): Promise<string | undefined> {
  const started = performance.now();
  try {
    const result = await chatFor(turn.model.provider, { appTitle: "Playground chat" }).complete({
      model: turn.model.model.model_key,
      messages,
      maxTokens,
      temperature: 0.3,
    });
    await recordChatCall(deps.commits, {
      model: turn.model,
      userId: caller.userId,
      requestType: "chat",
      started,
      metadata: { conversation_id: turn.conversation.id, purpose: "memory" },
    }, { ok: true, usage: result.usage, generationId: result.generationId, health: false });
    return result.text;
  } catch (err) {
    deps.log.warn("chat follow-up generation failed", { err });
    return undefined;
  }
}
