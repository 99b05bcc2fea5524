/** How conversations and messages look in answers. */
import { z } from "@hono/zod-openapi";
import type { Conversation, Message } from "../../shared/db/tables/conversations.ts";
import { CONVERSATION_TYPES, MEMORY_TIERS, MESSAGE_TYPES } from "../../shared/vocabulary.ts";

/** A conversation in answers. */
export const conversationSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  conversation_type: z.enum(CONVERSATION_TYPES),
  status: z.enum(["active", "archived"]),
  character_id: z.uuid().nullable(),
  user_character_id: z.uuid().nullable(),
  project_id: z.uuid().nullable(),
  memory_tier: z.enum(MEMORY_TIERS),
  summary: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("Conversation");

/** A message in answers. */
export const messageSchema = z.object({
  id: z.uuid(),
  conversation_id: z.uuid(),
  sender: z.enum(["user", "assistant"]),
  content: z.string(),
  message_type: z.enum(MESSAGE_TYPES),
  created_at: z.string(),
}).openapi("Message");

/** The answer view of a conversation row. */
export function conversationView(c: Conversation): z.infer<typeof conversationSchema> {
  return {
    id: c.id,
    title: c.title,
    conversation_type: c.conversation_type as z.infer<
      typeof conversationSchema
    >["conversation_type"],
    status: c.status as "active" | "archived",
    character_id: c.character_id,
    user_character_id: c.user_character_id,
    project_id: c.project_id,
    memory_tier: c.memory_tier as z.infer<typeof conversationSchema>["memory_tier"],
    summary: (c.memory_data as { summary?: string }).summary ?? null,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

/** The answer view of a message row. */
export function messageView(m: Message): z.infer<typeof messageSchema> {
  return {
    id: m.id,
    conversation_id: m.conversation_id,
    sender: m.sender as "user" | "assistant",
    content: m.content,
    message_type: m.message_type as z.infer<typeof messageSchema>["message_type"],
    created_at: m.created_at,
  };
}
