/**
 * Expiry of workspace assets (DESIGN.md section 10; reference bug 21): rows and objects together,
 * in batches. Each batch is one transaction: `expire_workspace_assets` deletes up to `batchSize`
 * expired rows that no concurrent run holds (skip locked), their objects are removed through the
 * Storage API (at most 1000 paths per request), and only then does the transaction commit. A run
 * that fails mid-batch rolls its rows back for the next run; two runs at once take disjoint rows.
 */
import { asService } from "../../shared/db/scopes.ts";
import * as assets from "../../shared/db/tables/workspace_assets.ts";
import type { RemovedAsset } from "../../shared/db/tables/workspace_assets.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { removeAll } from "./discard_asset.ts";
import { isOwnPath } from "./object_paths.ts";
import { assetObjects, pathCount } from "./object_removal.ts";

/** Counts of one expiry run. */
export interface ExpiryResult {
  expired: number;
  objects_removed: number;
  batches: number;
  /** Rows whose paths pointed outside their owner's folder: deleted, their objects untouched. */
  refused: number;
  /** Whether the time budget ran out before the expired rows did. */
  more: boolean;
}

/** Runs batches until no expired asset is left or `budgetMs` has passed. */
export async function expireAssets(
  deps: WorkspaceActionsDeps,
  opts: { batchSize?: number; budgetMs?: number } = {},
): Promise<ExpiryResult> {
  const batchSize = opts.batchSize ?? 200;
  const deadline = performance.now() + (opts.budgetMs ?? 20_000);
  const out: ExpiryResult = { expired: 0, objects_removed: 0, batches: 0, refused: 0, more: false };
  while (true) {
    if (performance.now() >= deadline) {
      out.more = true;
      break;
    }
    // Service path: expiry is the backend's own maintenance across every user's rows.
    const batch = await asService(deps.db, async (tx) => {
      const rows = await assets.expireBatch(tx, batchSize);
      const safe = rows.filter(pathsAreOwn);
      const removal = await assetObjects(tx, safe);
      const removed = pathCount(removal) > 0 ? await removeAll(deps.store, removal) : 0;
      if (safe.length < rows.length) {
        // Throwing would stall every later batch on the same rows. Such a row is hostile: it goes,
        // and the objects it points to (another user's) are not touched.
        deps.log.error("expired assets with paths outside their owner's folder", {
          ids: rows.filter((r) => !pathsAreOwn(r)).map((r) => r.id),
        });
      }
      return { rows: rows.length, refused: rows.length - safe.length, removed };
    });
    out.batches++;
    out.expired += batch.rows - batch.refused;
    out.refused += batch.refused;
    out.objects_removed += batch.removed;
    if (batch.rows < batchSize) break;
  }
  return out;
}

function pathsAreOwn(r: RemovedAsset): boolean {
  return isOwnPath(r.user_id, r.temp_storage_path) &&
    (r.thumbnail_path === null || isOwnPath(r.user_id, r.thumbnail_path));
}
