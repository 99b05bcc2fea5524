/**
 * playground-chat when things go wrong, as the adversarial review found them: a provider's own
 * limit keeps its 503 and does not count against the model; a conversation deleted during the
 * reply is not the model's fault either, and the billed call is still recorded; a reply holding
 * U+0000 is stored; a client that leaves before the first token still has its call recorded;
 * admin conversations, deleted accounts, characters that went private and refused swaps.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import {
  type Body,
  createCharacter,
  err,
  openStreamDirect,
  parseEvents,
  postMessage as post,
  sim,
  until,
  withChat,
} from "../support/chat.ts";
import { callFn } from "../support/jobs.ts";

async function newConversation(user: Parameters<typeof callFn>[0], body: Body = {}) {
  const created = await callFn(user, "POST", "/playground-chat/conversations", body);
  assertEquals(created.status, 201, JSON.stringify(created.body));
  return (created.body.conversation as Body).id as string;
}

Deno.test("playground-chat: the provider's own limit is a 503 and not the model's fault; a deleted conversation neither", async () => {
  await withChat(async (sql, s, { alice }) => {
    const health = async () =>
      (await sql`select consecutive_failures from public.api_model_health
        where model_id = ${s.model.id}`)[0]?.consecutive_failures ?? 0;
    const id = await newConversation(alice);
    for (let i = 0; i < 3; i++) {
      const streamed = await post(alice, id, {
        content: `busy ${sim({ create_status: 429, retry_after: 7 })}`,
        model_id: s.model.id,
      });
      const last = parseEvents(streamed.text).events.at(-1)!;
      assertEquals([last.event, last.data.code, last.data.retry_after], [
        "error",
        "UNAVAILABLE",
        7,
      ]);
    }
    const json = await post(alice, id, {
      content: `busy ${sim({ create_status: 429, retry_after: 7 })}`,
      model_id: s.model.id,
      stream: false,
    });
    assertEquals(json.status, 503, json.text);
    assertEquals(JSON.parse(json.text).error.code, "UNAVAILABLE");
    assertEquals(await health(), 0, "a 429 is the provider's limit, not a failing model");
    const [limited] = await sql`select count(*)::int as n from public.api_usage_logs
      where model_id = ${s.model.id} and response_status = 429`;
    assertEquals(limited.n, 4);

    // Deleted while the reply streams: the reply cannot be stored, the call was billed.
    const doomed = await newConversation(alice);
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(" ");
    const pending = post(alice, doomed, {
      content: `long ${sim({ reply: words, latency_ms: 400, cost: 0.0002 })}`,
      model_id: s.model.id,
    });
    await until("the user's message", async () => {
      const [m] = await sql`select 1 from public.messages where conversation_id = ${doomed}`;
      return m;
    });
    const removed = await callFn(alice, "DELETE", `/playground-chat/conversations/${doomed}`);
    assertEquals(removed.status, 204);
    const last = parseEvents((await pending).text).events.at(-1)!;
    assertEquals([last.event, last.data.code], ["error", "NOT_FOUND"]);
    const [row] = await sql`select response_status, cost_usd_actual::float as cost, error_message
      from public.api_usage_logs where provider_metadata ->> 'conversation_id' = ${doomed}`;
    assertEquals([row.response_status, row.cost, row.error_message], [200, 0.0002, null]);
    assertEquals(await health(), 0, "the model answered; nothing counts against it");
  });
});

Deno.test("playground-chat: a reply with U+0000 is stored; a client gone before the first token is still recorded", async () => {
  await withChat(async (sql, s, { alice }) => {
    const id = await newConversation(alice);
    const res = await post(alice, id, {
      content: `nul ${sim({ reply: "a \u0000 b" })}`,
      model_id: s.model.id,
      stream: false,
    });
    assertEquals(res.status, 200, res.text);
    assertEquals(JSON.parse(res.text).message.content, "a  b");
    // A cost no column can hold: the call is still recorded, without it.
    const dear = await post(alice, id, {
      content: `dear ${sim({ reply: "ok", cost: 1e9 })}`,
      model_id: s.model.id,
      stream: false,
    });
    assertEquals(dear.status, 200, dear.text);
    const [kept] = await sql`select cost_usd_actual, tokens_output from public.api_usage_logs
      where provider_metadata ->> 'conversation_id' = ${id} and response_status = 200
        and provider_metadata ? 'tier'
      order by created_at desc limit 1`;
    assertEquals(kept.cost_usd_actual, null);
    assertOk((kept.tokens_output as number) > 0);

    const slow = await openStreamDirect(alice, id, {
      content: `slow ${sim({ latency_ms: 4000 })}`,
      model_id: s.model.id,
    });
    await slow.reader.read(); // the opening comment
    await slow.abort();
    const gone = await until("the call of a client that left", async () => {
      const [r] = await sql`select error_message from public.api_usage_logs
        where provider_metadata ->> 'conversation_id' = ${id} and error_message is not null`;
      return r;
    }, 10_000);
    assertEquals(gone.error_message, "client disconnected");
    const replies = await sql`select content from public.messages
      where conversation_id = ${id} and sender = 'assistant' order by created_at`;
    assertEquals(
      replies.map((r) => r.content),
      ["a  b", "ok"],
      "nothing was shown, nothing stored",
    );
  });
});

Deno.test("playground-chat: admin conversations, a deleted account, a character gone private, a refused swap", async () => {
  await withChat(async (sql, s, { alice, bob, adult, admin }) => {
    const refused = await callFn(alice, "POST", "/playground-chat/conversations", {
      conversation_type: "admin",
    });
    assertEquals([refused.status, err(refused.body).code], [403, "FORBIDDEN"]);
    assertEquals(err(refused.body).details?.[0].field, "conversation_type");
    await newConversation(admin, { conversation_type: "admin" });
    // An admin sees every character, but uses only their own and public ones.
    const hidden = await createCharacter(sql, { userId: bob.id, system_prompt: "bob's own" });
    const peek = await callFn(admin, "POST", "/playground-chat/conversations", {
      character_id: hidden.id,
    });
    assertEquals([peek.status, err(peek.body).code], [404, "NOT_FOUND"]);

    // A token that outlived its profile.
    await sql`delete from public.profiles where id = ${bob.id}`;
    const orphan = await callFn(bob, "POST", "/playground-chat/conversations", {});
    assertEquals([orphan.status, err(orphan.body).code], [403, "FORBIDDEN"]);

    // A public character, linked, then made private by its owner: no longer counted.
    const shared = await createCharacter(sql, { userId: adult.id, isPublic: true });
    const id = await newConversation(alice, { character_id: shared.id });
    await sql`update public.characters set is_public = false where id = ${shared.id}`;
    const turn = await post(alice, id, { content: "hi", model_id: s.model.id, stream: false });
    assertEquals(turn.status, 200, turn.text);
    await new Promise((r) => setTimeout(r, 300)); // the background count would have run
    const [count] =
      await sql`select interaction_count from public.characters where id = ${shared.id}`;
    assertEquals(count.interaction_count, 0);
    // The conversation is still the user's to rename and archive.
    const renamed = await callFn(alice, "PATCH", `/playground-chat/conversations/${id}`, {
      title: "Kept",
      archived: true,
    });
    assertEquals(renamed.status, 200, JSON.stringify(renamed.body));
    assertEquals((renamed.body.conversation as Body).title, "Kept");

    // The reference body's character swap is undone when the turn is refused.
    const nsfw = await createCharacter(sql, { userId: null, isPublic: true, rating: "nsfw" });
    const plain = await newConversation(adult);
    await sql`update public.profiles set age_verified = false where id = ${adult.id}`;
    const swap = await callFn(adult, "POST", "/playground-chat", {
      conversation_id: plain,
      message: "hello",
      character_id: nsfw.id,
    });
    assertEquals(swap.status, 403, JSON.stringify(swap.body));
    const visible = await createCharacter(sql, { userId: adult.id });
    const tier = await callFn(adult, "POST", "/playground-chat", {
      conversation_id: plain,
      message: "hello",
      character_id: visible.id,
      content_tier: "nsfw",
    });
    assertEquals(tier.status, 403, JSON.stringify(tier.body));
    const [after] = await sql`select character_id, conversation_type from public.conversations
      where id = ${plain}`;
    assertEquals([after.character_id, after.conversation_type], [null, "general"]);
  });
});

Deno.test("playground-chat: a reply longer than a message holds is stored cut, as a partial reply", async () => {
  await withChat(async (sql, s, { alice }) => {
    const id = await newConversation(alice);
    // 250 words of 500 emoji (two UTF-16 units each): 125,250 characters, past the column's
    // 100,000, and the cut falls inside a word, between two emoji.
    const res = await post(alice, id, {
      content: `long ${sim({ reply: "😀".repeat(500), reply_repeat: 250 })}`,
      model_id: s.model.id,
      stream: false,
    });
    assertEquals(res.status, 200, res.text.slice(0, 300));
    const [stored] = await sql`select char_length(content) as chars, message_type,
        right(content, 2) as tail, strpos(content, U&'\FFFD') as mended
      from public.messages where conversation_id = ${id} and sender = 'assistant'`;
    assertEquals(stored, { chars: 100_000, message_type: "partial", tail: "😀😀", mended: 0 });
    const calls = await sql`select response_status from public.api_usage_logs
      where provider_metadata ->> 'conversation_id' = ${id} and provider_metadata ? 'tier'`;
    assertEquals(calls.map((c) => c.response_status), [200], "recorded once, as a success");
  });
});
