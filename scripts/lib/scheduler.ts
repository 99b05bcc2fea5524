/**
 * The dev stack's stand-in for Supabase Cron: calls the scheduled service endpoints on their
 * intervals with the service key. In production, pg_cron + pg_net do this (docs/scheduling.md).
 */

/** A scheduled endpoint. */
export interface Schedule {
  name: string;
  /** Path under /functions/v1. */
  path: string;
  everySeconds: number;
  body?: unknown;
}

/** What the dev stack schedules. */
export const SCHEDULES: Schedule[] = [
  { name: "dispatch", path: "/queue-job/dispatch", everySeconds: 60 },
  // Expired workspace assets: rows and their Storage objects (docs/workspace.md).
  { name: "workspace-expire", path: "/workspace-actions/maintenance/expire", everySeconds: 3600 },
];

/** Starts calling the schedules; returns a stop function. */
export function startScheduler(
  opts: { apiUrl: string; serviceKey: string; log: (line: string) => void },
): () => void {
  const timers = SCHEDULES.map((s) =>
    setInterval(async () => {
      try {
        const res = await fetch(`${opts.apiUrl}/functions/v1${s.path}`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${opts.serviceKey}`,
            "content-type": "application/json",
          },
          body: JSON.stringify(s.body ?? {}),
        });
        const text = await res.text();
        if (!res.ok) opts.log(`scheduler: ${s.name} answered ${res.status}: ${text.slice(0, 200)}`);
      } catch (err) {
        opts.log(`scheduler: ${s.name} failed: ${err instanceof Error ? err.message : err}`);
      }
    }, s.everySeconds * 1000)
  );
  return () => timers.forEach(clearInterval);
}
