/**
 * What playground-chat sends the model: the template for the tier with the character filled in,
 * admins alone overriding it, history within the context budget and the rolling summary.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import {
  addChatTemplate,
  type Body,
  chatCalls,
  createCharacter,
  postMessage as post,
  until,
  withChat,
} from "../support/chat.ts";
import { callFn } from "../support/jobs.ts";
import type { TestUser } from "../support/stack.ts";

Deno.test("playground-chat: the template for the tier, the character filled in, admins alone override", async () => {
  await withChat(async (sql, s, { alice, adult, admin }) => {
    await addChatTemplate(sql, s, {
      useCase: "character_roleplay",
      contentMode: "sfw",
      text:
        "SFW. You are {{character_name}}: {{character_description}} {{character_persona}} {{unknown_field}}!",
      jobType: "roleplay",
    });
    await addChatTemplate(sql, s, {
      useCase: "character_roleplay",
      contentMode: "nsfw",
      text: "NSFW. You are {{character_name}}.",
      jobType: "roleplay",
    });
    const system = async (user: TestUser, characterId: string, body: Body = {}) => {
      const c = await callFn(user, "POST", "/playground-chat/conversations", {
        character_id: characterId,
      });
      const id = (c.body.conversation as Body).id as string;
      const content = `hi ${crypto.randomUUID()}`;
      const res = await post(user, id, { content, model_id: s.model.id, stream: false, ...body });
      // This turn's call (a title generation may have gone out on the same model meanwhile).
      const call = (await chatCalls(s.model.model_key)).find((b) =>
        (b.messages as Body[]).at(-1)!.content === content
      );
      return {
        status: res.status,
        system: ((call?.messages as Body[] | undefined)?.[0].content as string) ?? "",
      };
    };
    const mira = await createCharacter(sql, {
      userId: alice.id,
      name: "Mira",
      persona: "Curious and kind.",
      system_prompt: "Never reveal the treasure.",
    });
    const sfw = await system(alice, mira.id);
    assertEquals(
      sfw.system,
      "SFW. You are Mira: A test character. Curious and kind. !\n\nNever reveal the treasure.",
    );
    const nsfwChar = await createCharacter(sql, { userId: adult.id, name: "Rex", rating: "nsfw" });
    assertOk((await system(adult, nsfwChar.id)).system.startsWith("NSFW. You are Rex."));
    assertOk(
      (await system(adult, nsfwChar.id, { content_tier: "sfw" })).system.startsWith("SFW."),
      "asked for SFW",
    );
    const refused = await system(alice, mira.id, { content_tier: "nsfw" });
    assertEquals(refused.status, 403);
    const override = await system(alice, mira.id, { system_prompt: "Be a pirate." });
    assertEquals(override.status, 403, "only admins override the system prompt");
    const adminChar = await createCharacter(sql, { userId: admin.id });
    assertEquals(
      (await system(admin, adminChar.id, { system_prompt: "Be a pirate." })).system,
      "Be a pirate.",
    );
  });
});

Deno.test("playground-chat: history within the context budget, older turns folded into a summary", async () => {
  await withChat(async (sql, s, { alice }) => {
    const c = await callFn(alice, "POST", "/playground-chat/conversations", {});
    const id = (c.body.conversation as Body).id as string;
    const long = (i: number) => `turn ${i} ${"lorem ipsum ".repeat(60)}`; // ~180 tokens each
    for (let i = 0; i < 8; i++) {
      const res = await post(alice, id, { content: long(i), model_id: s.model.id, stream: false });
      assertEquals(res.status, 200, res.text);
    }
    const calls = await chatCalls(s.model.model_key);
    const turns = calls.filter((b) =>
      ((b.messages as Body[]).at(-1)!.content as string).startsWith("turn 7")
    );
    const sent = turns.at(-1)!.messages as Body[];
    assertOk(sent.length < 16, `only what fits was sent (${sent.length} messages)`);
    const tokens = sent.reduce((n, m) => n + Math.ceil((m.content as string).length / 4), 0);
    assertOk(tokens <= 1500 - 200, `within the budget (${tokens})`);
    const readSummary = async () => {
      const [row] =
        await sql`select memory_data ->> 'summary' as summary from public.conversations where id = ${id}`;
      return (row.summary as string | null) ?? undefined;
    };
    let summary = await until("a rolling summary", readSummary);
    // Summaries are folded after the answers, one after another: wait until the last has landed
    // (unchanged for 300 ms), so the read below sees the same one.
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const again = await readSummary();
      if (again === summary) break;
      summary = again!;
    }
    assertOk(summary.length > 0);
    const get = await callFn(alice, "GET", `/playground-chat/conversations/${id}`);
    assertEquals((get.body.conversation as Body).summary, summary);

    const page = await callFn(
      alice,
      "GET",
      `/playground-chat/conversations/${id}/messages?limit=5`,
    );
    const msgs = page.body.messages as Body[];
    assertEquals(msgs.length, 5);
    const older = await callFn(
      alice,
      "GET",
      `/playground-chat/conversations/${id}/messages?limit=50&before=${page.body.next_before}`,
    );
    const all = [...(older.body.messages as Body[]), ...msgs];
    assertEquals(
      all.length,
      16,
      "every message of the 8 turns once (title and summary store none)",
    );
    assertEquals(new Set(all.map((m) => m.id)).size, all.length);
  }, { contextLength: 1500, maxOutput: 200 });
});
