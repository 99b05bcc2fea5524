/**
 * Scenario 10: `POST /workspace-actions/assets/:id/save` of a 2 MB image at 8 clients (user JWTs,
 * a fresh asset per request, so every request copies), against the same server-side copy made
 * by a bare supabase-js client in its own process (bench/workers/storage_copy.ts), both in this
 * run. Diagnostic: saves of assets saved already (the same route, without the copy). Memory: the function's isolate (external = ArrayBuffers, heap) at its peak under each
 * load; a save buffers nothing, so the copying load must not hold 8 x 2 MB more than the load
 * that copies nothing.
 */
import { addProfile, type BenchContext, directUrl, ratioRow } from "../lib/context.ts";
import { profileUnderLoad } from "../lib/cpuprof.ts";
import { sampleIsolates } from "../lib/isolate_memory.ts";
import { spawnDeno } from "../lib/procs.ts";
import { repeat } from "../lib/stats.ts";
import { runWrk, writeWrkScript } from "../lib/wrk.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";
import { BUCKETS } from "../../shared/vocabulary.ts";

const CLIENTS = 8;
const SIZE = 2 * 1024 * 1024;

function image(): Uint8Array {
  const bytes = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, i + 65536));
  }
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}

type Peak = { ext: number; heap: number };

/** Runs scenario 10. */
export async function workspaceSave(ctx: BenchContext): Promise<void> {
  const { fx, opts, stack } = ctx;
  const s = "10. workspace save";
  ctx.log(s);
  const users = fx.users.slice(0, CLIENTS);
  const ids = users.map((u) => u.id);
  const store = createSupabaseObjectStore({
    url: stack.gatewayUrl,
    key: stack.env.SUPABASE_SERVICE_ROLE_KEY,
  });
  // One 2 MB source object per user; the assets of a run all point at their user's.
  const sources = users.map((u) => `${u.id}/bench-source.png`);
  const bytes = image();
  for (const path of sources) {
    await store.put(BUCKETS.workspace, path, bytes, {
      contentType: "image/png",
      upsert: true,
    });
  }
  // Enough fresh assets that no request of a run saves one twice (wrk reuses the list after).
  const perRun = opts.quick ? 3000 : 12_000;
  const duration = (warmup: boolean) =>
    warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS;

  const scriptOf = (rows: { id: string; user_id: string }[]) =>
    writeWrkScript(
      ctx.tmpDir,
      rows.map((r) => ({
        method: "POST",
        path: `/workspace-actions/assets/${r.id}/save`,
        headers: { authorization: `Bearer ${users[ids.indexOf(r.user_id)].jwt}` },
      })),
    );
  const saveScript = async () =>
    await scriptOf(
      await fx.admin<{ id: string; user_id: string }[]>`
      insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes,
        mime_type, original_prompt, model_used)
      select u.id, 'image', u.id::text || '/bench-source.png', ${SIZE}, 'image/png', 'bench', 'bench'
      from unnest(${ids}::uuid[]) with ordinality u(id, n),
        generate_series(1, ${Math.ceil(perRun / users.length)}) g
      order by g, u.n
      returning id, user_id`,
    );
  // The assets the copying load saved: saving them again copies nothing.
  const savedScript = async () =>
    await scriptOf(
      await fx.admin<{ id: string; user_id: string }[]>`
      select source_asset_id as id, user_id from public.user_library
      where user_id = any(${ids}::uuid[]) and source_asset_id is not null`,
    );

  // Removes what a run saved: library objects through the Storage API, then the rows.
  const clearRun = async () => {
    for (const u of users) {
      const names = await fx.admin<
        { name: string }[]
      >`select name from storage.objects
        where bucket_id = ${BUCKETS.library} and starts_with(name, ${`${u.id}/`})`;
      if (names.length) {
        await store.remove(
          BUCKETS.library,
          names.map((n) => n.name),
        );
      }
    }
    await fx
      .admin`delete from public.user_library where user_id = any(${ids}::uuid[])`;
    await fx
      .admin`delete from public.workspace_assets where user_id = any(${ids}::uuid[])
      and temp_storage_path like '%/bench-source.png'`;
  };

  // One wrk run, with the isolate's peak memory above its idle level when `measure` is set.
  const port = stack.inspectorPorts["workspace-actions"];
  const load = async (script: string, seconds: number, measure: boolean) => {
    const sampler = measure && port ? await sampleIsolates({ fn: port }, 50) : null;
    let idle = { externalMb: 0, heapUsedMb: 0 };
    if (sampler) {
      await new Promise((r) => setTimeout(r, 500));
      idle = sampler.takePeaks().fn ?? idle;
    }
    const r = await runWrk({
      baseUrl: directUrl(ctx, "workspace-actions"),
      script,
      connections: CLIENTS,
      durationS: seconds,
      cpu: opts.cpu,
    });
    let peak: Peak | null = null;
    if (sampler) {
      const p = sampler.takePeaks().fn ?? idle;
      sampler.stop();
      peak = {
        ext: p.externalMb - idle.externalMb,
        heap: p.heapUsedMb - idle.heapUsedMb,
      };
    }
    if (measure && r.non2xx > 0) {
      ctx.log(`  warning: ${r.non2xx} non-2xx answers`);
    }
    return { r, peak };
  };

  const peaks: { copy: Peak[]; noCopy: Peak[] } = { copy: [], noCopy: [] };
  let wrapped = 0;
  let lastScript = "";
  const route = await repeat(opts.runs, async (warmup) => {
    const script = await saveScript();
    const copying = await load(script, duration(warmup), !warmup);
    // Saves of the assets saved just now: the same route, nothing copied.
    const again = await load(await savedScript(), duration(warmup), !warmup);
    if (!warmup) {
      wrapped += copying.r.wrapped;
      if (copying.peak) peaks.copy.push(copying.peak);
      if (again.peak) peaks.noCopy.push(again.peak);
    }
    lastScript = script;
    await clearRun();
    return {
      rps: copying.r.rps,
      p99: copying.r.p99Ms,
      idempotentRps: again.r.rps,
    };
  });
  if (wrapped > 0) {
    ctx.log(`  warning: ${wrapped} requests re-saved an asset (no copy)`);
  }

  const bare = await repeat(opts.runs, async (warmup) => {
    const child = spawnDeno("bench/workers/storage_copy.ts", {
      ...stack.env,
      BENCH_SOURCES: JSON.stringify(sources),
      BENCH_DEST_PREFIX: `${users[0].id}/bare-copy-${crypto.randomUUID()}`,
      BENCH_CLIENTS: String(CLIENTS),
      BENCH_SECONDS: String(duration(warmup)),
    }, { stdout: "piped" });
    const out = await child.process.output();
    const d = JSON.parse(
      new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!,
    ) as {
      ops: number;
      ms: number;
      p99: number;
      errors: number;
      paths: string[];
    };
    if (d.errors > 0) ctx.log(`  warning: ${d.errors} bare copies failed`);
    await store.remove(BUCKETS.library, d.paths);
    return { rate: d.ops / (d.ms / 1000), p99: d.p99 };
  });

  const main = ratioRow(ctx, {
    scenario: s,
    metric: "POST /workspace-actions/assets/:id/save, 2 MB image, req/s @8, direct",
    unit: "req/s",
    value: route.rps,
    anchor: "bare supabase-js storage copy of the same object @8, its own process",
    anchorValue: bare.rate,
    minRatio: 0.7,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, p99 latency",
    unit: "ms",
    value: route.p99,
    anchor: "bare supabase-js copy p99",
    anchorValue: bare.p99,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "saving again the assets just saved: the same route without the copy (diagnostic)",
    unit: "req/s",
    value: route.idempotentRps,
    anchor: "bare supabase-js storage copy @8",
    anchorValue: bare.rate,
  });
  const worst = (list: Peak[], k: keyof Peak) => Math.max(...list.map((p) => p[k]));
  if (peaks.copy.length && peaks.noCopy.length) {
    const one = (v: number) => ({ median: v, min: v, max: v, runs: [v] });
    const copyExt = worst(peaks.copy, "ext");
    const noCopyExt = worst(peaks.noCopy, "ext");
    ratioRow(ctx, {
      scenario: s,
      metric: `workspace-actions external memory (ArrayBuffers) above idle at the peak of the ` +
        `copying load, minus the same for the load that copies nothing (${copyExt.toFixed(1)} ` +
        `vs ${noCopyExt.toFixed(1)} MB); 8 buffered 2 MB objects would add 16 MB`,
      unit: "MB",
      value: one(copyExt - noCopyExt),
      maxValue: 16,
    });
    ratioRow(ctx, {
      scenario: s,
      metric: `same for the V8 heap (${worst(peaks.copy, "heap").toFixed(1)} vs ${
        worst(peaks.noCopy, "heap").toFixed(1)
      } MB above idle: garbage between collections)`,
      unit: "MB",
      value: one(worst(peaks.copy, "heap") - worst(peaks.noCopy, "heap")),
    });
  }
  if (main.meets_target === false && lastScript) {
    // Where the function's own time goes, on assets the measured runs did not use.
    const script = await saveScript();
    addProfile(ctx, s, [
      "workspace-actions under the same load (8 clients, direct), V8 CPU profile (inspector):",
      ...await profileUnderLoad({
        name: "workspace-actions",
        env: stack.env,
        script,
        connections: CLIENTS,
        durationS: Math.max(3, opts.durationS),
        cpu: opts.cpu,
      }),
    ]);
    await clearRun();
  }
  await store.remove(BUCKETS.workspace, sources);
}
