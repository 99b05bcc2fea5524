// deno-lint-ignore-file
// Scenario 3a anchor, run under Node: graphile-worker processing `count` no-op jobs queued in
// one add_jobs call on the bench database. Prints {"jobs": n, "ms": elapsed}.
// Usage: node graphile.mjs <connectionString> <count> <concurrency>
import { makeWorkerUtils, run } from "graphile-worker";
import pg from "pg";

const [connectionString, countArg, concurrencyArg] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);

const utils = await makeWorkerUtils({ connectionString });
await utils.migrate();
await utils.release();
const client = new pg.Client({ connectionString });
await client.connect();
await client.query("delete from graphile_worker._private_jobs");
await client.query(
  `select graphile_worker.add_jobs(array(
     select ('noop', json_build_object('n', g), null, null, null, null, null, null)::graphile_worker.job_spec
     from generate_series(1, $1) g))`,
  [count],
);

// What processing writes (WAL, updates of the jobs table), for the profile beside the figure.
const counters = async () =>
  (await client.query(
    `select pg_current_wal_lsn()::text as lsn,
       (select n_tup_upd::int from pg_stat_user_tables
        where schemaname = 'graphile_worker' and relname = '_private_jobs') as upd,
       (select n_tup_hot_upd::int from pg_stat_user_tables
        where schemaname = 'graphile_worker' and relname = '_private_jobs') as hot`,
  )).rows[0];
await new Promise((r) => setTimeout(r, 1200));
const before = await counters();
let handled = 0;
const started = performance.now();
const runner = await run({
  connectionString,
  concurrency,
  noHandleSignals: true,
  logger: undefined,
  taskList: {
    noop: async () => {
      handled++;
    },
  },
});
// Done when every job was run and its completion committed (the jobs table is empty).
for (;;) {
  if (handled >= count) {
    const { rows } = await client.query(
      "select count(*)::int as n from graphile_worker._private_jobs",
    );
    if (rows[0].n === 0) break;
  }
  await new Promise((r) => setTimeout(r, 10));
}
const ms = performance.now() - started;
await runner.stop();
// The workers' backends report their counters when they exit.
await new Promise((r) => setTimeout(r, 1200));
const after = await counters();
const { rows: [wal] } = await client.query(
  "select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 as bytes",
  [after.lsn, before.lsn],
);
await client.end();
console.log(JSON.stringify({
  jobs: handled,
  ms,
  walBytes: wal.bytes,
  updates: after.upd - before.upd,
  hotUpdates: after.hot - before.hot,
}));
