/**
 * Fixtures for chat tests: a chat model on the OpenRouter simulator (its key unique to the test,
 * so templates can target it alone), characters, and the helpers to read a server-sent-events
 * answer and the simulator's record of what a chat call sent.
 */
import type { Sql } from "../../shared/db/client.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";
import type { ModelRow } from "../../shared/providers/registry.ts";
import { eventually } from "./assert.ts";
import { cleanup, createFundedUser } from "./jobs.ts";
import { createTestModel, createTestProvider } from "./providers.ts";
import { createTestUser, stack, type TestUser, withDb } from "./stack.ts";

/** What {@link createChatSetup} made. */
export interface ChatSetup {
  provider: ProviderRow;
  model: ModelRow;
  prefix: string;
}

/** An OpenRouter provider on the simulator and a chat model with the given window. */
export async function createChatSetup(
  sql: Sql,
  opts: { contextLength?: number; maxOutput?: number; nsfw?: boolean } = {},
): Promise<ChatSetup> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const provider = await createTestProvider(sql, {
    adapter: "openrouter",
    base_url: Deno.env.get("OPENROUTER_BASE_URL")!,
    secret_name: "OPENROUTER_API_KEY",
  });
  const model = await createTestModel(sql, provider.id, {
    modality: "chat",
    task: "chat",
    model_key: `sim/chat-${suffix}`,
    input_defaults: { temperature: 0.7 },
    capabilities: {
      context_length: opts.contextLength ?? 32_000,
      max_output_tokens: opts.maxOutput ?? 512,
      nsfw: opts.nsfw ?? true,
    },
  });
  return { provider, model, prefix: `chat ${suffix}` };
}

/** Adds a chat template for the setup's model (removed with {@link removeChatTemplates}). */
export async function addChatTemplate(
  sql: Sql,
  s: ChatSetup,
  t: { useCase: string; contentMode: "sfw" | "nsfw"; text: string; jobType?: string },
): Promise<void> {
  await sql`insert into public.prompt_templates (enhancer_model, use_case, content_mode, template_name,
      system_prompt, job_type, target_model)
    values ('', ${t.useCase}, ${t.contentMode}, ${`${s.prefix} ${t.useCase} ${t.contentMode}`},
      ${t.text}, ${t.jobType ?? "chat"}, ${s.model.model_key})`;
}

/** Removes the setup's templates. */
export async function removeChatTemplates(sql: Sql, s: ChatSetup): Promise<void> {
  await sql`delete from public.prompt_templates where template_name like ${`${s.prefix} %`}`;
}

/** Inserts a character (as the database, so any owner and rating can be set up). */
export async function createCharacter(
  sql: Sql,
  c:
    & { userId: string | null; name?: string; isPublic?: boolean; rating?: "sfw" | "nsfw" }
    & Record<
      string,
      unknown
    >,
): Promise<{ id: string; name: string }> {
  const name = c.name ?? `Char ${crypto.randomUUID().slice(0, 6)}`;
  const [row] = await sql<{ id: string }[]>`
    insert into public.characters (user_id, creator_id, name, description, persona, system_prompt,
      is_public, content_rating)
    values (${c.userId}, ${c.userId}, ${name}, ${(c.description as string) ?? "A test character."},
      ${(c.persona as string) ?? null}, ${(c.system_prompt as string) ?? null}, ${
    c.isPublic ?? false
  },
      ${c.rating ?? "sfw"})
    returning id`;
  return { id: row.id, name };
}

/** One parsed server-sent event. */
export interface ParsedEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Parses a whole SSE body: events, and how many comment lines it carried. */
export function parseEvents(text: string): { events: ParsedEvent[]; comments: number } {
  const events: ParsedEvent[] = [];
  let comments = 0;
  for (const block of text.split("\n\n")) {
    if (!block.trim()) continue;
    const lines = block.split("\n");
    comments += lines.filter((l) => l.startsWith(":")).length;
    const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
    const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
    if (event && data) events.push({ event, data: JSON.parse(data) });
  }
  return { events, comments };
}

/** The chat calls the simulator received for a model, oldest first. */
export async function chatCalls(modelKey: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${Deno.env.get("SIM_CONTROL_URL_OPENROUTER")}/submissions`);
  type Call = { kind: string; model: string; body: Record<string, unknown> };
  const body = await res.json() as Call[] | { submissions: Call[] };
  const all = Array.isArray(body) ? body : body.submissions;
  return all.filter((s) => s.kind === "chat" && s.model === modelKey).map((s) => s.body);
}

/** A JSON body or answer. */
export type Body = Record<string, unknown>;

/** The simulator's directive in a message: how it should answer (see simulators/). */
export const sim = (knobs: Record<string, unknown>) => `[[sim:${JSON.stringify(knobs)}]]`;

/** The error of an envelope. */
export const err = (b: Body) => b.error as { code: string; details?: { field: string }[] };

/** Reads `fn` until it returns a value (every 100 ms, at most `ms`); throws naming `what`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms = 8000,
): Promise<T> {
  const v = await eventually(fn, (x) => x !== undefined, ms);
  if (v === undefined) throw new Error(`timed out waiting for ${what}`);
  return v;
}

/** Runs `fn` with a chat setup and four users (two plain, one age-verified, one admin). */
export async function withChat(
  fn: (
    sql: Sql,
    s: ChatSetup,
    u: { alice: TestUser; bob: TestUser; adult: TestUser; admin: TestUser },
  ) => Promise<void>,
  opts: Parameters<typeof createChatSetup>[1] = {},
) {
  await withDb(async (sql) => {
    const s = await createChatSetup(sql, opts);
    const alice = await createFundedUser(sql, 0);
    const bob = await createFundedUser(sql, 0);
    const adult = await createFundedUser(sql, 0, { ageVerified: true });
    const admin = await createTestUser(sql, { admin: true });
    try {
      await fn(sql, s, { alice, bob, adult, admin });
    } finally {
      await removeChatTemplates(sql, s);
      await sql`delete from public.characters where description = 'A test character.'
        and (user_id = any(${[alice.id, bob.id, adult.id, admin.id]}::uuid[]) or user_id is null)`;
      await cleanup(sql, [alice, bob, adult, admin], [s.provider]);
    }
  });
}

/** Posts a message to a conversation through the gateway; the answer's status, type and text. */
export async function postMessage(user: TestUser, conversationId: string, body: Body) {
  const res = await fetch(
    `${stack.gatewayUrl}/functions/v1/playground-chat/conversations/${conversationId}/messages`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    },
  );
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    text: await res.text(),
  };
}

/**
 * Posts a message straight to the function (not through the gateway: the client's disconnect is
 * the function's to see) and answers the open stream's reader; `abort` disconnects.
 */
export async function openStreamDirect(user: TestUser, conversationId: string, body: Body) {
  const port = stack.functionPorts["playground-chat"];
  const abort = new AbortController();
  const res = await fetch(
    `http://127.0.0.1:${port}/playground-chat/conversations/${conversationId}/messages`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: abort.signal,
    },
  );
  const reader = res.body!.getReader();
  return {
    reader,
    async abort() {
      abort.abort();
      await reader.cancel().catch(() => {});
    },
  };
}
