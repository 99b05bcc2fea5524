// deno-lint-ignore-file
// Scenario 3a anchor, run under Node: pg-boss 10 workers processing `count` no-op jobs queued
// in batches of 1,000. Prints {"jobs": n, "ms": elapsed}.
// Usage: node pgboss.mjs <connectionString> <count> <workers> <batchSize>
import PgBoss from "pg-boss";

const [connectionString, countArg, workersArg, batchArg] = process.argv.slice(
  2,
);
const count = Number(countArg);
const workers = Number(workersArg);
const batchSize = Number(batchArg);

const boss = new PgBoss({
  connectionString,
  schema: "pgboss",
  supervise: false,
  schedule: false,
});
boss.on("error", (e) => console.error(e));
await boss.start();
await boss.deleteQueue("noop").catch(() => {});
await boss.createQueue("noop");
for (let i = 0; i < count; i += 1000) {
  const n = Math.min(1000, count - i);
  await boss.insert(
    Array.from({ length: n }, (_, k) => ({ name: "noop", data: { n: i + k } })),
  );
}

let handled = 0;
const started = performance.now();
for (let w = 0; w < workers; w++) {
  await boss.work(
    "noop",
    { batchSize, pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      handled += jobs.length;
    },
  );
}
const db = boss.getDb();
// Done when every job was run and its completion committed.
for (;;) {
  if (handled >= count) {
    const { rows } = await db.executeSql(
      "select count(*)::int as n from pgboss.job where name = 'noop' and state < 'completed'",
    );
    if (rows[0].n === 0) break;
  }
  await new Promise((r) => setTimeout(r, 10));
}
const ms = performance.now() - started;
await boss.stop({ graceful: false, wait: false }).catch(() => {});
console.log(JSON.stringify({ jobs: handled, ms }));
process.exit(0);
