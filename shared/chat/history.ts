/**
 * Which earlier messages go with a turn: the most recent ones that fit the model's context
 * budget (system prompt, the new message and room for the reply taken out), in order. What does
 * not fit is left to the conversation's rolling summary.
 */
import type { Message } from "../db/tables/conversations.ts";
import { estimateTokens } from "../prompts/clean_prompt.ts";

/** The model's window, from its capabilities (`context_length`, `max_output_tokens`). */
export interface ContextWindow {
  contextTokens: number;
  replyTokens: number;
}

/** The window of a chat model row's capabilities, with safe defaults. */
export function contextWindow(capabilities: Record<string, unknown>): ContextWindow {
  const num = (v: unknown, d: number) => typeof v === "number" && v > 0 ? v : d;
  const contextTokens = num(capabilities.context_length, 8192);
  return {
    contextTokens,
    replyTokens: Math.min(num(capabilities.max_output_tokens, 1024), Math.floor(contextTokens / 4)),
  };
}

/** The history that fits, oldest first, and how many of the given messages did not. */
export function fitHistory(
  newestFirst: readonly Message[],
  window: ContextWindow,
  fixedText: string,
): { history: Message[]; omitted: number } {
  // A margin for message framing and the tokenizer's disagreement with our estimate.
  let budget = window.contextTokens - window.replyTokens - estimateTokens(fixedText) - 256;
  const kept: Message[] = [];
  for (const m of newestFirst) {
    const cost = estimateTokens(m.content) + 4;
    if (cost > budget) break;
    budget -= cost;
    kept.push(m);
  }
  return { history: kept.reverse(), omitted: newestFirst.length - kept.length };
}
