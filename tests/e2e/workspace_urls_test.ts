/**
 * Signed URLs through the gateway: `GET /objects/url` signs only the caller's own folder and
 * never for more than an hour; a URL stops working when it expires and cannot be pointed at
 * another object; `GET /assets` pages the caller's assets with URLs for each.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { createTestUser, withDb } from "../support/stack.ts";
import { cleanupWorkspace, makeAsset, makeJob, wa } from "../support/workspace.ts";

type Row = Record<string, unknown>;

Deno.test("objects/url signs the caller's own objects for at most an hour; expired or tampered URLs fail", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const mine = await makeAsset(sql, user);
      const second = await makeAsset(sql, user);
      const theirs = await makeAsset(sql, other);
      const q = (params: Record<string, string>) =>
        wa(user, "GET", `/objects/url?${new URLSearchParams(params)}`);
      const ok = await q({ bucket: "workspace-temp", path: mine.path, expires_in: "60" });
      assertEquals(ok.status, 200, JSON.stringify(ok.body));
      const url = ok.body.url as string;
      // Signed apart: a one-second URL signed late in a second can expire before its first use.
      const short = await q({ bucket: "workspace-temp", path: mine.path, expires_in: "1" });
      assertEquals(short.status, 200, JSON.stringify(short.body));
      assertEquals(new Uint8Array(await (await fetch(url)).arrayBuffer()), mine.bytes);
      // The token is bound to its path: the same token on another of the caller's objects fails.
      const tampered = await fetch(url.replace(mine.path, second.path));
      assertOk(tampered.status >= 400 && tampered.status < 500, `tampered: ${tampered.status}`);
      await tampered.body?.cancel();
      const forged = await fetch(url.replace(/token=[^.]+\./, "token=eyJhbGciOiJIUzI1NiJ9."));
      assertOk(forged.status >= 400 && forged.status < 500, `forged: ${forged.status}`);
      await forged.body?.cancel();
      await new Promise((r) => setTimeout(r, 2100));
      const late = await fetch(short.body.url as string);
      assertOk(late.status >= 400 && late.status < 500, `expired: ${late.status}`);
      await late.body?.cancel();
      const cases: [Record<string, string>, number, string | null][] = [
        [{ bucket: "workspace-temp", path: theirs.path }, 403, "path"],
        [{ bucket: "workspace-temp", path: `${user.id}/../${theirs.path}` }, 400, "path"],
        [{ bucket: "workspace-temp", path: `${user.id}/a\u0000.png` }, 400, "path"],
        [{ bucket: "avatars", path: mine.path }, 400, "bucket"],
        [{ bucket: "workspace-temp", path: mine.path, expires_in: "3601" }, 400, "expires_in"],
        [{ bucket: "workspace-temp", path: `${user.id}/missing.png` }, 404, null],
        [{ bucket: "workspace-temp" }, 400, "path"],
      ];
      for (const [params, status, field] of cases) {
        const res = await q(params);
        assertEquals(res.status, status, JSON.stringify(params));
        if (field) {
          const details = (res.body.error as { details?: { field: string }[] }).details ?? [];
          assertOk(details.some((d) => d.field === field), JSON.stringify(res.body));
        }
      }
      assertEquals(
        (await wa(null, "GET", `/objects/url?bucket=workspace-temp&path=${mine.path}`)).status,
        401,
      );
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("GET /assets pages the caller's unexpired assets (by job too) with signed URLs", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const job = { id: await makeJob(sql, user) };
      const a = await makeAsset(sql, user, { jobId: job.id, thumbnail: true });
      const b = await makeAsset(sql, user);
      await makeAsset(sql, user, { expiresAt: new Date(Date.now() - 1000).toISOString() });
      await makeAsset(sql, other);
      const all = await wa(user, "GET", "/assets");
      assertEquals(all.status, 200);
      const assets = all.body.assets as Row[];
      assertEquals(assets.map((x) => x.id), [b.id, a.id]);
      const withThumb = assets.find((x) => x.id === a.id)!;
      assertEquals(
        new Uint8Array(await (await fetch(withThumb.url as string)).arrayBuffer()),
        a.bytes,
      );
      assertOk(withThumb.thumbnail_url, "thumbnail signed");
      const byJob = await wa(user, "GET", `/assets?job_id=${job.id}`);
      assertEquals((byJob.body.assets as Row[]).map((x) => x.id), [a.id]);
      const paged = await wa(user, "GET", "/assets?limit=1");
      assertOk(paged.body.next_cursor, "a next page");
      const rest = await wa(user, "GET", `/assets?limit=1&cursor=${paged.body.next_cursor}`);
      assertEquals([(rest.body.assets as Row[])[0].id, rest.body.next_cursor], [a.id, null]);
      assertEquals((await wa(user, "GET", "/assets?job_id=nope")).status, 400);
      assertEquals((await wa(user, "GET", "/assets?cursor=%00")).status, 400);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});
