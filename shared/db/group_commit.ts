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
 * Each request is all-or-nothing on its own. If a group fails (a statement raised, a deadlock),
 * its requests are run again one by one, each in its own transaction, so one bad request never
 * fails or rolls back another. If the connection is lost instead, whether the group committed is
 * unknown: every request fails with that error, as a lone scope would, and nothing is run twice.
 */
import type postgres from "postgres";
import type { Sql, Tx } from "./client.ts";
import { asService, asUser, type Claims, scopeSettings, userScope } from "./scopes.ts";

type Pending = postgres.PendingQuery<postgres.Row[]>;
/** A statement built on the group's handle and not awaited (a postgres.js PendingQuery). */
type Statement = PromiseLike<unknown>;
type Results<Q> = { [K in keyof Q]: Q[K] extends PromiseLike<infer R> ? R : never };

/** Builds one request's statements on the group's transaction (build them, don't await them). */
export type BuildStatements<Q extends readonly Statement[]> = (tx: Tx) => Q;

/** Commits concurrent requests together. */
export interface GroupCommit {
  /** Service path: `build`'s statements as service_role, in the next group transaction. */
  run<Q extends readonly Statement[]>(build: BuildStatements<Q>): Promise<Results<Q>>;
  /** `build`'s statements as the JWT's user (RLS applies), in the next group transaction. */
  runAsUser<Q extends readonly Statement[]>(
    claims: Claims,
    build: BuildStatements<Q>,
  ): Promise<Results<Q>>;
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
  build: (tx: Tx) => readonly Pending[];
  resolve: (values: unknown[]) => void;
  reject: (err: unknown) => void;
}

const SERVICE = { role: "service_role", claims: { role: "service_role" } };

/** postgres.js's codes for a connection that went away, and the socket's own (ECONNRESET...). */
const CONNECTION_LOST = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

function connectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (CONNECTION_LOST.has(code) || /^E[A-Z]+$/.test(code));
}

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
    // Where each request's own results start and how many there are.
    const spans: { start: number; count: number }[] = [];
    let results: unknown[];
    try {
      // The transaction starts as service_role; a request as another identity is preceded by
      // the switch to it, and the service path after a user's request by the switch back.
      results = await asService(db, (tx) => {
        const all: Pending[] = [];
        let current: Claims = SERVICE.claims;
        for (const req of batch) {
          const scope = req.claims ? userScope(req.claims) : SERVICE;
          if (scope.claims !== current) {
            all.push(scopeSettings(tx, scope.role, scope.claims) as unknown as Pending);
            current = scope.claims;
          }
          const statements = req.build(tx);
          spans.push({ start: all.length, count: statements.length });
          all.push(...statements);
        }
        return all;
      }) as unknown[];
    } catch (err) {
      if (connectionLost(err)) {
        for (const req of batch) req.reject(err);
        return;
      }
      // The group was rolled back, and which request failed is not known (the rest failed with
      // it): each runs again alone.
      await Promise.all(batch.map(alone));
      return;
    }
    batch.forEach((req, i) =>
      req.resolve(results.slice(spans[i].start, spans[i].start + spans[i].count))
    );
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
    run<Q extends readonly Statement[]>(build: BuildStatements<Q>): Promise<Results<Q>> {
      return enqueue({ build: build as unknown as Request["build"] }) as Promise<Results<Q>>;
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
