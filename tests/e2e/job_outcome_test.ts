import { assertEquals } from "../support/assert.ts";
import { createLogger } from "../../shared/log.ts";
import { ProviderRegistry } from "../../shared/providers/registry.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { applyReport } from "../../shared/jobs/outcome.ts";
import { outputSource } from "../../shared/jobs/outputs.ts";
import {
  createReplicateClient,
  reportFromPrediction,
} from "../../shared/providers/adapters/replicate.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  waitForJob,
} from "../support/jobs.ts";
import { stack, withDb } from "../support/stack.ts";
import type { Sql } from "../../shared/db/client.ts";
import { createGroupCommit } from "../../shared/db/group_commit.ts";
import { PromptCatalog } from "../../shared/prompts/prompt_catalog.ts";

function jobDeps(sql: Sql): JobDeps {
  const env = (k: string) => Deno.env.get(k);
  return {
    db: sql,
    commits: createGroupCommit(sql),
    registry: new ProviderRegistry({
      db: sql,
      env,
      log: createLogger({ level: "error" }),
      ttlMs: 0,
    }),
    catalog: new PromptCatalog({ db: sql }),
    store: createSupabaseObjectStore({
      url: stack.gatewayUrl,
      key: Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!,
    }),
    log: createLogger({ level: "error" }),
    functionsUrl: `${stack.gatewayUrl}/functions/v1`,
    storageOrigin: new URL(stack.gatewayUrl).origin,
    now: () => new Date(),
    random: () => 42,
    background: () => {},
  };
}

Deno.test("outputs stored for a job that ended meanwhile are removed again (no orphaned objects)", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, {
        delay_ms: 60_000,
        webhook: { drop: true },
      });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "late result",
        model_id: model.id,
      });
      const id = (created.body.job as Record<string, unknown>).id as string;
      const job = await waitForJob(sql, id, ["processing"]);
      // A second, finished prediction supplies real output URLs on the simulator's host.
      const deps = jobDeps(sql);
      const resolved = (await deps.registry.modelById(model.id))!;
      const replicate = createReplicateClient(resolved.provider);
      const other = await replicate.create({
        model: { model_key: "o/m", version: null },
        input: { prompt: 'fast [[sim:{"delay_ms":10}]]' },
      });
      await new Promise((r) => setTimeout(r, 200));
      const finished = reportFromPrediction(await replicate.get(other.id));
      assertEquals(finished.state, "succeeded");
      // The user cancels; then the success arrives: its objects have no row and must go.
      assertEquals((await callFn(user, "POST", `/queue-job/jobs/${id}/cancel`)).status, 200);
      const [fresh] = await sql`select * from public.jobs where id = ${id}`;
      const result = await applyReport(deps, { ...job, ...fresh } as never, finished, {
        source: outputSource(resolved.provider),
        modelUsed: model.model_key,
      });
      assertEquals(result, "ignored");
      assertEquals(await deps.store.exists("workspace-temp", `${user.id}/${id}/0.png`), false);
      // Even when the report is applied as if the job were still running, the transition is
      // refused inside the transaction and the objects written for it are removed.
      const raced = await applyReport(deps, { ...fresh, status: "processing" } as never, finished, {
        source: outputSource(resolved.provider),
        modelUsed: model.model_key,
      });
      assertEquals(raced, "ignored");
      assertEquals(
        await deps.store.exists("workspace-temp", `${user.id}/${id}/0.png`),
        false,
        "removed after the refused transition",
      );
      assertEquals(
        (await sql`select 1 from public.workspace_assets where job_id = ${id}`).length,
        0,
      );
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("Replicate canceled and aborted predictions end the job as cancelled with one refund", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      for (const outcome of ["canceled", "aborted"]) {
        const model = await createSimModel(sql, provider.id, {
          outcome,
          webhook: { duplicate: 1 },
        });
        const created = await callFn(user, "POST", "/queue-job", {
          prompt: `ends ${outcome}`,
          model_id: model.id,
        });
        const done = await waitForJob(
          sql,
          (created.body.job as Record<string, unknown>).id as string,
        );
        assertEquals(done.status, "cancelled", `${outcome}: ${JSON.stringify(done)}`);
      }
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 10);
      const refunds =
        await sql`select count(*)::int as n from public.usage_logs where user_id = ${user.id} and kind = 'refund'`;
      assertEquals(refunds[0].n, 2);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
