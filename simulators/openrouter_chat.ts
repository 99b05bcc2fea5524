/**
 * OpenRouter chat completions for the simulator: deterministic echo replies, model fallbacks
 * (`models`), usage with cost, and the SSE stream with `: OPENROUTER PROCESSING` comments,
 * the final usage chunk and the mid-stream error chunk.
 */
import { type Scenario, scenarioFromText } from "./scenario.ts";
import type { SimServer } from "./sim_server.ts";

/** One finished (or failed) generation, kept for `/_sim/generations` and Broadcast. */
export interface Generation {
  id: string;
  kind: "chat" | "video";
  request_model: string;
  model: string;
  provider: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  finish_reason: string;
  streamed: boolean;
  started_ms: number;
  ended_ms: number;
  user?: string;
  session_id?: string;
  error?: string;
}

/** The outcome of routing a chat request to a model. */
export type ChatPlan =
  | { ok: true; gen: Generation; text: string; usage: Record<string, unknown> }
  | { ok: false; status: number; message: string };

interface Message {
  role?: string;
  content?: unknown;
}

/** Picks the answering model and builds the reply for a chat body. */
export function planChat(body: Record<string, unknown>, scenario: Scenario): ChatPlan {
  const messages = Array.isArray(body.messages) ? body.messages as Message[] : [];
  if (!messages.length) return { ok: false, status: 400, message: "messages is required" };
  const candidates = [
    ...new Set([body.model, ...(Array.isArray(body.models) ? body.models : [])]),
  ].filter((m): m is string => typeof m === "string" && m.length > 0);
  if (!candidates.length) return { ok: false, status: 400, message: "model is required" };
  const failing = new Set(scenario.fallback_fail ?? []);
  const model = candidates.find((m) => !failing.has(m));
  if (!model) return { ok: false, status: 502, message: "All models failed (simulated)" };

  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const echoed = scenarioFromText(textOf(lastUser?.content)).text;
  const reply = scenario.reply ?? `Echo(${model}): ${echoed}`;
  const repeat = Math.min(Math.max(1, Math.floor(Number(scenario.reply_repeat) || 1)), 100_000);
  let words = Array(repeat).fill(reply).join(" ").split(/\s+/).filter(Boolean);
  const max = Number(body.max_completion_tokens ?? body.max_tokens ?? 0);
  const cut = max > 0 && words.length > max;
  if (cut) words = words.slice(0, max);
  const promptTokens = messages.reduce((n, m) => n + countWords(textOf(m.content)), 0);
  const completionTokens = words.length;
  const cost = scenario.cost ?? round(promptTokens * 0.000001 + completionTokens * 0.000002);
  const order = (body.provider as { order?: unknown } | undefined)?.order;
  const now = Date.now();
  const gen: Generation = {
    id: `gen-${Math.floor(now / 1000)}-${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`,
    kind: "chat",
    request_model: candidates[0],
    model,
    provider: Array.isArray(order) && typeof order[0] === "string" ? order[0] : "SimProvider",
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    cost,
    finish_reason: cut ? "length" : "stop",
    streamed: body.stream === true,
    started_ms: now,
    ended_ms: now,
    user: typeof body.user === "string" ? body.user : undefined,
    session_id: typeof body.session_id === "string" ? body.session_id : undefined,
  };
  return { ok: true, gen, text: words.join(" "), usage: usageOf(gen) };
}

/** The non-streaming `chat.completion` body. */
export function completionBody(plan: Extract<ChatPlan, { ok: true }>) {
  const { gen } = plan;
  return {
    id: gen.id,
    provider: gen.provider,
    model: gen.model,
    object: "chat.completion",
    created: Math.floor(gen.started_ms / 1000),
    choices: [{
      logprobs: null,
      finish_reason: gen.finish_reason,
      native_finish_reason: gen.finish_reason,
      index: 0,
      message: { role: "assistant", content: plan.text, refusal: null, reasoning: null },
    }],
    usage: plan.usage,
  };
}

/** The SSE body; calls `onEnd` once with the generation as it ended. */
export function completionStream(
  plan: Extract<ChatPlan, { ok: true }>,
  scenario: Scenario,
  srv: SimServer,
  latencyMs: number,
  onEnd: (gen: Generation) => void,
): ReadableStream<Uint8Array> {
  const { gen } = plan;
  const encoder = new TextEncoder();
  const pieces = plan.text.split(" ").map((w, i) => (i === 0 ? w : ` ${w}`));
  const comments = scenario.processing_comments ?? 2;
  const errorAfter = scenario.stream_error_after;
  const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id: gen.id,
    provider: gen.provider,
    model: gen.model,
    object: "chat.completion.chunk",
    created: Math.floor(gen.started_ms / 1000),
    choices: [{ index: 0, logprobs: null, native_finish_reason: null, ...choice }],
    ...extra,
  });
  let closed = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const data = (obj: unknown) => send(`data: ${JSON.stringify(obj)}\n\n`);
      const pause = async (ms: number) => !closed && (await srv.sleep(ms)) && !closed;
      const comment = () => send(": OPENROUTER PROCESSING\n\n");
      for (let i = 0; i < comments; i++) {
        comment();
        if (!(await pause(latencyMs / 2))) return finish(controller);
      }
      let sent = 0;
      for (const piece of pieces) {
        if (errorAfter !== undefined && sent >= errorAfter) break;
        data(chunk({ delta: { role: "assistant", content: piece }, finish_reason: null }));
        sent++;
        // One more comment among the chunks, as OpenRouter does while a provider stalls.
        if (sent === 1 && comments > 0) comment();
        if (!(await pause(latencyMs / 5))) return finish(controller);
      }
      if (errorAfter !== undefined) {
        const err = scenario.stream_error ?? {};
        gen.finish_reason = "error";
        gen.completion_tokens = sent;
        gen.error = err.message ?? "Provider disconnected unexpectedly (simulated)";
        data(chunk(
          { delta: { content: "" }, finish_reason: "error", native_finish_reason: "error" },
          { error: { code: err.code ?? "server_error", message: gen.error } },
        ));
        return finish(controller);
      }
      data(chunk(
        {
          delta: { content: "" },
          finish_reason: gen.finish_reason,
          native_finish_reason: gen.finish_reason,
        },
        { usage: plan.usage },
      ));
      send("data: [DONE]\n\n");
      finish(controller);
    },
    cancel() {
      closed = true;
      gen.finish_reason = "cancelled";
    },
  });

  function finish(controller: ReadableStreamDefaultController<Uint8Array>) {
    gen.ended_ms = Date.now();
    onEnd(gen);
    if (closed) return;
    closed = true;
    controller.close();
  }
}

/** OpenRouter's usage object for a generation. */
export function usageOf(gen: Generation): Record<string, unknown> {
  return {
    prompt_tokens: gen.prompt_tokens,
    completion_tokens: gen.completion_tokens,
    total_tokens: gen.prompt_tokens + gen.completion_tokens,
    cost: gen.cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    cost_details: { upstream_inference_cost: null },
    completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0 },
  };
}

/** The text of a message content (string or parts). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (p && typeof p === "object" && "text" in p ? String(p.text) : ""))
      .join(" ");
  }
  return "";
}

function countWords(s: string): number {
  return s.split(/\s+/).filter(Boolean).length;
}

function round(n: number): number {
  return Number(n.toFixed(9));
}
