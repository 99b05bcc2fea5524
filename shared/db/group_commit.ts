/**
 * Group commit for the job flow's service-path writes. Callers that are ready at about the same
 * time (a dispatcher's lanes, concurrent webhooks) have their statements sent in one
 * transaction, one round trip and one commit for the lot, instead of one each. An idle caller
 * pays nothing extra: the first request goes out at once (after the current microtask), the
 * ones that arrive while it is on the wire go together in the next.
 *
 * Each request is all-or-nothing on its own. If a group fails (a statement raised, a deadlock),
 * its requests are run again one by one, each in its own transaction, so one bad request never
 * fails or rolls back another.
 *
 * Everything here runs as service_role: only for writes that are the backend's own bookkeeping
 * (job transitions, usage rows, delivery records), never for what a user asked to read.
 */
import type postgres from "postgres";
import type { Sql, Tx } from "./client.ts";
import { asService } from "./scopes.ts";

type Pending = postgres.PendingQuery<postgres.Row[]>;
/** A statement built on the group's handle and not awaited (a postgres.js PendingQuery). */
type Statement = PromiseLike<unknown>;
type Results<Q> = { [K in keyof Q]: Q[K] extends PromiseLike<infer R> ? R : never };

/** Builds one request's statements on the group's transaction (build them, don't await them). */
export type BuildStatements<Q extends readonly Statement[]> = (tx: Tx) => Q;

/** Commits concurrent requests together. */
export interface GroupCommit {
  /** Runs `build`'s statements in the next group transaction; resolves with their results. */
  run<Q extends readonly Statement[]>(build: BuildStatements<Q>): Promise<Results<Q>>;
}

/** Options for {@link createGroupCommit}. */
export interface GroupCommitOptions {
  /** Requests in one transaction at most. @default 32 */
  maxBatch?: number;
  /** Group transactions on the wire at once (each holds a pooled connection). @default 2 */
  maxInFlight?: number;
}

interface Request {
  build: (tx: Tx) => readonly Pending[];
  resolve: (values: unknown[]) => void;
  reject: (err: unknown) => void;
}

/** A group committer over `db` (one per process, shared by everything that writes). */
export function createGroupCommit(db: Sql, opts: GroupCommitOptions = {}): GroupCommit {
  const maxBatch = opts.maxBatch ?? 32;
  const maxInFlight = opts.maxInFlight ?? 2;
  const waiting: Request[] = [];
  let inFlight = 0;
  let scheduled = false;

  async function alone(req: Request): Promise<void> {
    try {
      req.resolve(await asService(db, (tx) => req.build(tx)) as unknown[]);
    } catch (err) {
      req.reject(err);
    }
  }

  async function flush(batch: Request[]): Promise<void> {
    if (batch.length === 1) return await alone(batch[0]);
    const sizes: number[] = [];
    let built: unknown[];
    try {
      built = await asService(db, (tx) => {
        const all: Pending[] = [];
        for (const req of batch) {
          const statements = req.build(tx);
          sizes.push(statements.length);
          all.push(...statements);
        }
        return all;
      }) as unknown[];
    } catch {
      // Which request failed is not known (the rest failed with it): each runs again alone.
      await Promise.all(batch.map(alone));
      return;
    }
    let offset = 0;
    batch.forEach((req, i) => {
      req.resolve(built.slice(offset, offset + sizes[i]));
      offset += sizes[i];
    });
  }

  function pump(): void {
    scheduled = false;
    while (inFlight < maxInFlight && waiting.length > 0) {
      inFlight++;
      flush(waiting.splice(0, maxBatch)).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    run<Q extends readonly Statement[]>(build: BuildStatements<Q>): Promise<Results<Q>> {
      return new Promise((resolve, reject) => {
        waiting.push({
          build: build as unknown as Request["build"],
          resolve: resolve as (v: unknown[]) => void,
          reject,
        });
        // Requests made in the same tick go together, even when nothing is in flight.
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(pump);
        }
      });
    },
  };
}
