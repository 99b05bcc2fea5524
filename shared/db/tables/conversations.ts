/**
 * The chat table client (conversations and their messages). Everything here runs under the
 * caller's RLS (`asUser`): a user reads and writes only their own conversations, and a linked
 * character must be one they can see (the insert policy checks it). Returned unsent.
 */
import type { Tables } from "../database.types.ts";
import type { Tx } from "../client.ts";

/** A conversation row. */
export type Conversation = Tables<"conversations">;
/** A message row. */
export type Message = Tables<"messages">;

/** What a new conversation may set. */
export interface NewConversation {
  title?: string;
  conversation_type: string;
  character_id?: string | null;
  user_character_id?: string | null;
  project_id?: string | null;
  memory_tier?: string;
}

/** Creates one of the caller's conversations. */
export function insert(tx: Tx, c: NewConversation) {
  return tx<Conversation[]>`
    insert into public.conversations (user_id, title, conversation_type, character_id, user_character_id,
      project_id, memory_tier)
    values ((select auth.uid()), ${c.title ?? "New Conversation"}, ${c.conversation_type},
      ${c.character_id ?? null}, ${c.user_character_id ?? null}, ${c.project_id ?? null},
      ${c.memory_tier ?? "conversation"})
    returning *`;
}

/** One of the caller's conversations. */
export function own(tx: Tx, id: string) {
  return tx<Conversation[]>`select * from public.conversations where id = ${id}`;
}

/** A page of the caller's conversations, most recently active first; one row extra. */
export function ownPage(
  tx: Tx,
  page: { after?: { at: string; id: string }; limit: number; status?: string },
) {
  return tx<Conversation[]>`
    select * from public.conversations
    where user_id = (select auth.uid())
      ${page.status ? tx`and status = ${page.status}` : tx``}
      ${
    page.after
      ? tx`and (updated_at, id) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`
      : tx``
  }
    order by updated_at desc, id desc
    limit ${page.limit + 1}`;
}

/** Changes the title and/or status of one of the caller's conversations. */
export function update(tx: Tx, id: string, change: { title?: string; status?: string }) {
  return tx<Conversation[]>`
    update public.conversations set
      title = coalesce(${change.title ?? null}, title),
      status = coalesce(${change.status ?? null}, status)
    where id = ${id}
    returning *`;
}

/** Stores the rolling summary of older turns. */
export function setMemory(tx: Tx, id: string, memory: Record<string, unknown>) {
  return tx<{ id: string }[]>`
    update public.conversations set memory_data = ${tx.json(memory as never)} where id = ${id}
    returning id`;
}

/** Deletes one of the caller's conversations (its messages cascade). */
export function remove(tx: Tx, id: string) {
  return tx<{ id: string }[]>`delete from public.conversations where id = ${id} returning id`;
}

/** Adds a message to one of the caller's conversations. */
export function insertMessage(
  tx: Tx,
  m: { conversationId: string; sender: "user" | "assistant"; content: string; type?: string },
) {
  return tx<Message[]>`
    insert into public.messages (conversation_id, sender, content, message_type)
    values (${m.conversationId}, ${m.sender}, ${m.content}, ${m.type ?? "text"})
    returning *`;
}

/** Messages older than a keyset position (or the newest), newest first; one row extra. */
export function messagesBefore(
  tx: Tx,
  conversationId: string,
  page: { before?: { at: string; id: string }; limit: number },
) {
  return tx<Message[]>`
    select * from public.messages
    where conversation_id = ${conversationId}
      ${
    page.before
      ? tx`and (created_at, id) < (${page.before.at}::timestamptz, ${page.before.id}::uuid)`
      : tx``
  }
    order by created_at desc, id desc
    limit ${page.limit + 1}`;
}

/** What {@link openTurn} answers: nothing was stored unless `outcome` is `opened`. */
export type OpenedTurn =
  | { outcome: "not_found" | "nsfw_forbidden" | "override_forbidden" | "character_not_found" }
  | { outcome: "rate_limited"; wait_ms: number }
  | {
    outcome: "opened";
    conversation: Conversation;
    age_verified: boolean;
    admin: boolean;
    /** The linked characters the caller can see. */
    characters: Tables<"characters">[];
    /** The user's message, just stored. */
    message: Message;
    /** The newest messages, `message` among them, newest first; `historyLimit` + 1 at most. */
    recent: Message[];
    /** Messages in the conversation, `message` included. */
    total: number;
  };

/**
 * Opens a turn in one statement (`open_chat_turn`, under the caller's RLS): the conversation and
 * the caller's standing checked, the chat rate-limit slot taken, the user's message stored, the
 * linked characters and recent history read back.
 */
export function openTurn(
  tx: Tx,
  t: {
    conversationId: string;
    content: string;
    wantsNsfw: boolean;
    wantsPromptOverride: boolean;
    historyLimit: number;
    defaultPerMinute: number;
    /** Switches the conversation to this character, with the turn (the reference body). */
    characterId?: string;
  },
) {
  return tx<{ turn: OpenedTurn }[]>`
    select public.open_chat_turn(${t.conversationId}::uuid, ${t.content}, ${t.wantsNsfw},
      ${t.wantsPromptOverride}, ${t.historyLimit}::int, ${t.defaultPerMinute}::int,
      ${t.characterId ?? null}::uuid) as turn`;
}
