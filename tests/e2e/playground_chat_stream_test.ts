/**
 * playground-chat replies: a streamed reply's events in order and what is stored, a partial reply
 * kept when the client goes away (straight to the function), a provider error mid-stream.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import {
  type Body,
  createCharacter,
  openStreamDirect,
  parseEvents,
  postMessage as post,
  sim,
  until,
  withChat,
} from "../support/chat.ts";
import { callFn } from "../support/jobs.ts";

Deno.test("playground-chat: a streamed reply's events in order, both messages stored, usage, count and title", async () => {
  await withChat(async (sql, s, { alice }) => {
    const character = await createCharacter(sql, { userId: alice.id, name: "Captain Vale" });
    const created = await callFn(alice, "POST", "/playground-chat/conversations", {
      character_id: character.id,
    });
    const id = (created.body.conversation as Body).id as string;
    const reply = "Ahoy there, the sea is calm tonight";
    const res = await post(alice, id, {
      content: `Hello captain ${sim({ reply, cost: 0.0003 })}`,
      model_id: s.model.id,
    });
    assertEquals(res.status, 200, res.text);
    assertOk(res.type.startsWith("text/event-stream"), res.type);
    const { events, comments } = parseEvents(res.text);
    assertOk(comments >= 1, "the stream opens at once with a comment");
    const names = events.map((e) => e.event);
    assertEquals(names.at(-1), "message.completed");
    assertOk(
      names.slice(0, -1).every((n) => n === "message.delta") && names.length > 3,
      names.join(),
    );
    const streamed = events.filter((e) => e.event === "message.delta").map((e) => e.data.content)
      .join("");
    assertEquals(streamed, reply);
    const done = events.at(-1)!.data;
    assertEquals((done.message as Body).content, reply);
    const usage = done.usage as Body;
    assertEquals([usage.cost_usd, usage.model], [0.0003, s.model.model_key]);
    assertOk((usage.completion_tokens as number) > 0);

    const stored = await sql`select sender, content, message_type from public.messages
      where conversation_id = ${id} order by created_at`;
    assertEquals(stored.map((m) => [m.sender, m.message_type]), [["user", "text"], [
      "assistant",
      "text",
    ]]);
    assertEquals(stored[1].content, reply);
    const [logged] =
      await sql`select request_type, cost_usd_actual::float as cost from public.api_usage_logs
      where model_id = ${s.model.id} and provider_metadata ->> 'conversation_id' = ${id}`;
    assertEquals([logged.request_type, logged.cost], ["chat", 0.0003]);
    await until("interaction count", async () => {
      const [c] =
        await sql`select interaction_count from public.characters where id = ${character.id}`;
      return c.interaction_count === 1 ? true : undefined;
    });
    const title = await until("a generated title", async () => {
      const [c] = await sql`select title from public.conversations where id = ${id}`;
      return c.title !== "New Conversation" ? c.title as string : undefined;
    });
    assertOk(title.length > 0 && title.length <= 80, title);

    const json = await post(alice, id, { content: "Again?", model_id: s.model.id, stream: false });
    assertEquals(json.status, 200, json.text);
    const answer = JSON.parse(json.text);
    assertOk(answer.message.content.startsWith("Echo("), answer.message.content);
    assertEquals(answer.message.sender, "assistant");
  });
});

Deno.test("playground-chat: a client that goes away keeps what it saw; a provider error stores no reply", async () => {
  await withChat(async (sql, s, { alice }) => {
    const created = await callFn(alice, "POST", "/playground-chat/conversations", {});
    const id = (created.body.conversation as Body).id as string;
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const stream = await openStreamDirect(alice, id, {
      content: `Go ${sim({ reply: words, latency_ms: 400 })}`,
      model_id: s.model.id,
    });
    const reader = stream.reader;
    let seen = "";
    while (!seen.includes('word3"')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    await stream.abort();
    const shown = parseEvents(seen).events.filter((e) => e.event === "message.delta")
      .map((e) => e.data.content).join("");
    const partial = await until("the partial reply", async () => {
      const rows = await sql`select content, message_type from public.messages
        where conversation_id = ${id} and sender = 'assistant'`;
      return rows.length ? rows : undefined;
    });
    assertEquals(partial.length, 1);
    assertEquals(partial[0].message_type, "partial");
    assertOk(
      (partial[0].content as string).startsWith(shown.trim()),
      `${partial[0].content} / ${shown}`,
    );
    assertOk((partial[0].content as string).length < words.length, "not the whole reply");

    const failing = await post(alice, id, {
      content: `Then fail ${sim({ stream_error_after: 3, reply: words })}`,
      model_id: s.model.id,
    });
    const { events } = parseEvents(failing.text);
    assertEquals(events.at(-1)!.event, "error");
    assertEquals(events.at(-1)!.data.code, "UPSTREAM_FAILED");
    assertEquals(events.filter((e) => e.event === "message.delta").length, 3);
    const after =
      await sql`select sender, message_type from public.messages where conversation_id = ${id}
      order by created_at`;
    assertEquals(
      after.map((m) => m.sender),
      ["user", "assistant", "user"],
      "the user's message, no reply",
    );
  });
});
