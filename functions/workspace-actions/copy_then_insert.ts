/**
 * The heart of a save or a copy-to-workspace: server-side copies to the paths of a row-to-be
 * whose id is derived from its source, then that row's insert. The copies hold no database
 * connection (they may take a while). The insert is one round trip: an advisory lock on the
 * row-to-be (which discarding or expiring the source, and any clean-up, take too), then an insert
 * that writes only if the row does not exist yet and its objects are all in Storage, then the
 * row read back.
 *
 * - A copy that finds its destination taken accepts it: only this same row's copies go there.
 * - If the insert wrote nothing and there is no row, a concurrent clean-up removed the copies:
 *   they are made again and the insert retried.
 * - If the insert fails, the copies are removed under the same lock, unless a concurrent save
 *   wrote the row meanwhile (its row then owns them): nothing is left without a row.
 */
import type postgres from "postgres";
import type { Tx } from "../../shared/db/client.ts";
import { asService } from "../../shared/db/scopes.ts";
import { lockNames } from "../../shared/db/tables/locks.ts";
import { AppError } from "../../shared/errors.ts";
import type { ObjectRef, TransferOptions } from "../../shared/storage/object_store.ts";
import { ObjectStoreError } from "../../shared/storage/storage_errors.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { explainMissing } from "./storage_faults.ts";

/** One object to copy. */
export interface CopyStep {
  from: ObjectRef;
  to: ObjectRef;
  /** What the source row says about the object (size, type), for the bucket-rules check. */
  source?: TransferOptions["source"];
}

/** The paths the inserted row gets (thumbnail null when there was none to copy). */
export interface CopiedPaths {
  main: string;
  thumbnail: string | null;
}

/** A statement returned unsent. */
type Statement<T extends object> = postgres.PendingQuery<(T & postgres.Row)[]>;

/** How to find and write the row-to-be. */
export interface RowPlan<T extends object> {
  /** The advisory lock name of the row-to-be (`library-item:<id>`). */
  lock: string;
  main: CopyStep;
  thumbnail?: CopyStep;
  /** The row's object paths (to tell our copies from another row's). */
  pathsOf: (row: T) => string[];
  /** The row if it exists. */
  find: (tx: Tx) => Statement<T>;
  /** The insert, writing only when the row is absent and `paths` are all in Storage. */
  insert: (tx: Tx, paths: CopiedPaths) => Statement<T>;
  /** Runs between the copies and the insert (a test seam). */
  beforeInsert?: () => Promise<void>;
}

/** The row, and whether this call inserted it. */
export async function copyThenInsert<T extends object>(
  deps: WorkspaceActionsDeps,
  plan: RowPlan<T>,
): Promise<{ row: T; created: boolean }> {
  await copyOnce(deps, plan.main);
  let thumbnail = plan.thumbnail;
  const copies = () => [plan.main.to, ...(thumbnail ? [thumbnail.to] : [])];
  try {
    thumbnail = await copyThumbnail(deps, plan.thumbnail);
    await plan.beforeInsert?.();
    for (let attempt = 0;; attempt++) {
      const paths = { main: plan.main.to.path, thumbnail: thumbnail?.to.path ?? null };
      // Service path: the row-to-be is the backend's to write, for a source just shown to be the
      // caller's. Lock, conditional insert and read-back go in one round trip. (Not grouped with
      // other requests: a group would hold several such locks, taken in no fixed order.)
      const [, inserted, [found]] = await asService(
        deps.db,
        (tx) => [lockNames(tx, [plan.lock]), plan.insert(tx, paths), plan.find(tx)] as const,
      );
      if (inserted.length > 0) return { row: inserted[0], created: true };
      if (found) {
        // Ours went to the existing row's own paths, unless that row has others.
        const owned = plan.pathsOf(found);
        if (copies().some((c) => !owned.includes(c.path))) {
          await removeUnowned(deps, plan, copies());
        }
        return { row: found, created: false };
      }
      if (attempt >= 2) throw new AppError("CONFLICT", "The copy kept disappearing; try again");
      // A concurrent clean-up removed the copies after they were made: make them again.
      await copyOnce(deps, plan.main);
      thumbnail = await copyThumbnail(deps, thumbnail);
    }
  } catch (err) {
    await removeUnowned(deps, plan, copies());
    throw fromDbError(err);
  }
}

async function copyOnce(deps: WorkspaceActionsDeps, step: CopyStep): Promise<void> {
  try {
    await deps.store.copy(step.from, step.to, { source: step.source });
  } catch (err) {
    // The destination's id is derived from the source: what is there is this same copy.
    if (err instanceof ObjectStoreError && err.code === "conflict") return;
    // Service path: a Storage 404 is checked against Storage's own rows (storage_faults.ts).
    throw await asService(deps.db, (tx) => explainMissing(tx, deps.log, step.from, err));
  }
}

// A thumbnail is best-effort: a missing one is skipped (never fetched from anywhere else).
async function copyThumbnail(deps: WorkspaceActionsDeps, step: CopyStep | undefined) {
  if (!step) return undefined;
  try {
    await copyOnce(deps, step);
    return step;
  } catch (err) {
    if (!(err instanceof AppError && err.code === "CONFLICT")) throw err;
    deps.log.warn("thumbnail missing from storage; saved without it", { bucket: step.from.bucket });
    return undefined;
  }
}

// Under the row-to-be's lock: copies no row points to are removed (a row written meanwhile by a
// concurrent save owns them). Failures are logged: the caller's own error is the one to answer.
async function removeUnowned<T extends object>(
  deps: WorkspaceActionsDeps,
  plan: RowPlan<T>,
  refs: ObjectRef[],
): Promise<void> {
  try {
    // Service path: clean-up of our own copies, under the lock every writer of this row takes.
    await asService(deps.db, async (tx) => {
      await lockNames(tx, [plan.lock]);
      const [owner] = await plan.find(tx);
      const owned = owner ? plan.pathsOf(owner) : [];
      const stray = refs.filter((r) => !owned.includes(r.path));
      for (const bucket of new Set(stray.map((r) => r.bucket))) {
        await deps.store.remove(
          bucket,
          stray.filter((r) => r.bucket === bucket).map((r) => r.path),
        );
      }
    });
  } catch (err) {
    deps.log.error("copies of a failed save could not be removed", { err });
  }
}

// A row the insert could not write: a collection deleted meanwhile, a duplicate source.
function fromDbError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (code === "23503") {
    return new AppError("NOT_FOUND", "The collection no longer exists", {
      details: [{ field: "collection_id", message: "was deleted" }],
      cause: err,
    });
  }
  if (code === "23505") {
    return new AppError("CONFLICT", "This asset is already in the library", { cause: err });
  }
  return err;
}
