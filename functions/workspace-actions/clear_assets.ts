/**
 * Acting on many workspace assets at once (a job's, or all of the caller's): each asset is saved
 * and/or discarded on its own, so one failure costs that asset only and is reported with its id.
 * Assets are taken oldest first in pages of {@link PAGE}, four at a time, until none is left or
 * the time budget is spent; `remaining` then says how many are left for another call.
 */
import { asUser } from "../../shared/db/scopes.ts";
import * as assets from "../../shared/db/tables/workspace_assets.ts";
import { toAppError } from "../../shared/http/error_envelope.ts";
import type { Caller, WorkspaceActionsDeps } from "./deps.ts";
import { discardAsset } from "./discard_asset.ts";
import { saveAsset } from "./save_asset.ts";

const PAGE = 50;
const PARALLEL = 4;

/** What to do with each asset. */
export interface ClearOptions {
  jobId?: string;
  save: boolean;
  discard: boolean;
  /** Milliseconds after which no new page is started. @default 20 000 */
  budgetMs?: number;
}

/** One asset that could not be processed. */
export interface AssetFailure {
  asset_id: string;
  code: string;
  message: string;
}

/** Counts of a clear. */
export interface ClearResult {
  processed: number;
  saved: number;
  /** Library items created by this call (an asset saved before is saved, not new). */
  new_saves: number;
  discarded: number;
  library_ids: string[];
  errors: AssetFailure[];
  remaining: number;
}

/** Processes the caller's assets (a job's when `jobId` is set). */
export async function clearAssets(
  deps: WorkspaceActionsDeps,
  caller: Caller,
  opts: ClearOptions,
): Promise<ClearResult> {
  const deadline = performance.now() + (opts.budgetMs ?? 20_000);
  const out: ClearResult = {
    processed: 0,
    saved: 0,
    new_saves: 0,
    discarded: 0,
    library_ids: [],
    errors: [],
    remaining: 0,
  };
  let after: { at: string; id: string } | undefined;
  let done = false;
  while (!done && performance.now() < deadline) {
    const page = await asUser(
      deps.db,
      caller.claims,
      (tx) => assets.ownAssetIds(tx, { jobId: opts.jobId, after, limit: PAGE }),
    );
    if (page.length === 0) {
      done = true;
      break;
    }
    const last = page[page.length - 1];
    after = { at: last.created_at, id: last.id };
    for (let i = 0; i < page.length; i += PARALLEL) {
      await Promise.all(
        page.slice(i, i + PARALLEL).map((a) => processOne(deps, caller, a.id, opts, out)),
      );
    }
    done = page.length < PAGE;
  }
  if (!done) {
    // Out of time: what lies past the last asset taken is left for another call.
    const [left] = await asUser(
      deps.db,
      caller.claims,
      (tx) => assets.countOwnAfter(tx, { jobId: opts.jobId, after }),
    );
    out.remaining = left.n;
  }
  return out;
}

async function processOne(
  deps: WorkspaceActionsDeps,
  caller: Caller,
  assetId: string,
  opts: ClearOptions,
  out: ClearResult,
): Promise<void> {
  try {
    if (opts.save) {
      const saved = await saveAsset(deps, caller, assetId);
      out.saved++;
      if (saved.created) out.new_saves++;
      out.library_ids.push(saved.item.id);
    }
    if (opts.discard && (await discardAsset(deps, caller, assetId)).discarded) out.discarded++;
    out.processed++;
  } catch (err) {
    const e = toAppError(err);
    if (e.status >= 500) deps.log.warn("asset not processed", { asset_id: assetId, err });
    out.errors.push({
      asset_id: assetId,
      code: e.code,
      message: e.status < 500 ? e.message : "The asset could not be processed; try again",
    });
  }
}
