/**
 * Group commit: requests that are ready at about the same time (a dispatcher's lanes,
 * concurrent webhooks, concurrent reads) have their statements sent in one transaction, one
 * write, one round trip and one commit for the lot, instead of one each. An idle caller pays
 * nothing extra: the first request goes out at once (after the current microtask), the ones
 * that arrive while it is on the wire go together in the next.
 *
 * Each request keeps its own identity. `run` is the service path (service_role, like
 * `asService`); `runAsUser` runs a request's statements as that user, exactly as `asUser` does:
 * the group switches role and claims (`scopeSettings`) right before them, so RLS sees that
 * user for those statements and no others (statements on one connection run in the order they
 * were sent).
 *
 * Requests that take row locks say which (`lockKey`, e.g. the user whose profile a charge locks):
 * a group sends them in ascending key order, after the requests without one, so two groups (in
 * this process or another) never take the same rows in opposite orders and deadlock.
 *
 * Each request is all-or-nothing on its own. A request whose statements cannot be built is
 * refused alone, before anything is sent. If Postgres refuses a statement (an error, a deadlock),
 * the group is rolled back and its requests run again one by one, each in its own transaction, so
 * one bad request never fails or undoes another. Any other failure (the connection was lost, the
 * driver failed) leaves unknown whether the group committed: every request fails with it, as a
 * lone scope would, and nothing is run twice.
 */
import postgres from "postgres";
import type { Sql, Tx } from "./client.ts";
import { asService, asUser, type Claims, isQuery, scopeSettings, userScope } from "./scopes.ts";

type Pending = postgres.PendingQuery<postgres.Row[]>;
/**
 * A statement built on the group's handle and not awaited: a postgres.js PendingQuery, never a
 * promise derived from one (`tx\`...\`.then(...)` would start the query at once, ahead of its
 * request's identity switch).
 */
type Statement = PromiseLike<unknown> & { execute(): unknown };

type Results<Q> = { [K in keyof Q]: Q[K] extends PromiseLike<infer R> ? R : never };

/** Builds one request's statements on the group's transaction (build them, don't await them). */
export type BuildStatements<Q extends readonly Statement[]> = (tx: Tx) => Q;

/** Commits concurrent requests together. */
export interface GroupCommit {
  /** Service path: `build`'s statements as service_role, in the next group transaction. */
  run<Q extends readonly Statement[]>(
    build: BuildStatements<Q>,
    opts?: RequestOptions,
  ): Promise<Results<Q>>;
  /** `build`'s statements as the JWT's user (RLS applies), in the next group transaction. */
  runAsUser<Q extends readonly Statement[]>(
    claims: Claims,
    build: BuildStatements<Q>,
  ): Promise<Results<Q>>;
}

/** How one request goes into its group. */
export interface RequestOptions {
  /**
   * What the request locks first (a user id for a charge); keyed requests run in ascending key
   * order within a group, after the unkeyed ones.
   */
  lockKey?: string;
}

/** Options for {@link createGroupCommit}. */
export interface GroupCommitOptions {
  /** Requests in one transaction at most. @default 32 */
  maxBatch?: number;
  /** Group transactions on the wire at once (each holds a pooled connection). @default 2 */
  maxInFlight?: number;
}

interface Request {
  /** The user's claims; none for the service path. */
  claims?: Claims;
  lockKey?: string;
  build: (tx: Tx) => readonly Pending[];
  resolve: (values: unknown[]) => void;
  reject: (err: unknown) => void;
}

const SERVICE = { role: "service_role", claims: { role: "service_role" } };

/** A group committer over `db` (one per process, shared by everything that writes or reads). */
export function createGroupCommit(db: Sql, opts: GroupCommitOptions = {}): GroupCommit {
  const maxBatch = opts.maxBatch ?? 32;
  const maxInFlight = opts.maxInFlight ?? 2;
  const waiting: Request[] = [];
  let inFlight = 0;
  let scheduled = false;

  async function alone(req: Request): Promise<void> {
    try {
      const values = req.claims
        ? await asUser(db, req.claims, (tx) => req.build(tx))
        : await asService(db, (tx) => req.build(tx));
      req.resolve(values as unknown[]);
    } catch (err) {
      req.reject(err);
    }
  }

  async function flush(batch: Request[]): Promise<void> {
    if (batch.length === 1) return await alone(batch[0]);
    batch = inLockOrder(batch);
    // Where each request's own results start, and the requests whose build failed.
    const spans = new Map<Request, { start: number; count: number }>();
    const refused = new Map<Request, unknown>();
    let results: unknown[];
    try {
      // The transaction starts as service_role; a request as another identity is preceded by
      // the switch to it, and the service path after a user's request by the switch back.
      results = await asService(db, (tx) => {
        const all: Pending[] = [];
        let current: Claims = SERVICE.claims;
        for (const req of batch) {
          let statements: readonly Pending[];
          try {
            statements = req.build(tx);
            if (!statements.every(isQuery)) {
              throw new TypeError("a grouped request must return unsent statements");
            }
          } catch (err) {
            // Nothing of it is sent: statements run only once they are executed or awaited.
            refused.set(req, err);
            continue;
          }
          const scope = req.claims ? userScope(req.claims) : SERVICE;
          if (scope.claims !== current) {
            all.push(scopeSettings(tx, scope.role, scope.claims) as unknown as Pending);
            current = scope.claims;
          }
          spans.set(req, { start: all.length, count: statements.length });
          all.push(...statements);
        }
        return all;
      }) as unknown[];
    } catch (err) {
      const sent = batch.filter((req) => !refused.has(req));
      for (const [req, reason] of refused) req.reject(reason);
      if (err instanceof postgres.PostgresError) {
        // Postgres rolled the group back; which request it refused is not known (the rest
        // failed with it): each runs again alone.
        await Promise.all(sent.map(alone));
      } else {
        for (const req of sent) req.reject(err);
      }
      return;
    }
    for (const req of batch) {
      const span = spans.get(req);
      if (span) req.resolve(results.slice(span.start, span.start + span.count));
      else req.reject(refused.get(req));
    }
  }

  /** Unkeyed requests first (arrival order), then keyed ones by key (stable). */
  function inLockOrder(batch: Request[]): Request[] {
    if (!batch.some((r) => r.lockKey !== undefined)) return batch;
    const key = (r: Request) => r.lockKey ?? "";
    return batch.map((r, i) => ({ r, i })).sort((a, b) =>
      key(a.r) < key(b.r) ? -1 : key(a.r) > key(b.r) ? 1 : a.i - b.i
    ).map((x) => x.r);
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

  function enqueue(req: Omit<Request, "resolve" | "reject">): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      waiting.push({ ...req, resolve, reject });
      // Requests made in the same tick go together, even when nothing is in flight.
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(pump);
      }
    });
  }

  return {
    run<Q extends readonly Statement[]>(
      build: BuildStatements<Q>,
      opts: RequestOptions = {},
    ): Promise<Results<Q>> {
      return enqueue({
        lockKey: opts.lockKey,
        build: build as unknown as Request["build"],
      }) as Promise<
        Results<Q>
      >;
    },
    runAsUser<Q extends readonly Statement[]>(
      claims: Claims,
      build: BuildStatements<Q>,
    ): Promise<Results<Q>> {
      return enqueue({ claims, build: build as unknown as Request["build"] }) as Promise<
        Results<Q>
      >;
    },
  };
}
