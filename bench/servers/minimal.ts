// Anchor for scenarios 1 and 2: what a skilled engineer writes without our layers. Deno.serve,
// postgres.js and jose, no framework: the same HS256 JWT checked on every request, `POST
// /queue-job` as one `enqueue_job` call (one round trip), `GET /queue-job/jobs/:id` as the select
// under the role and claims asUser sets, sent with begin and commit in one write.
// BENCH_JOB is the job row the bench sends everywhere (pgbench's enqueue_job anchor too).
import postgres from "postgres";
import * as jose from "jose";
// Deno 2.1's setImmediate costs postgres.js ~1 ms per query: without the fix we use ourselves,
// this anchor would be slower than what a skilled engineer ends up with.
import { installNodeImmediate } from "../../shared/db/node_immediate.ts";

installNodeImmediate();
const env = (name: string) => Deno.env.get(name)!;
const sql = postgres(env("SUPABASE_DB_URL"), {
  max: Number(Deno.env.get("DB_POOL_MAX") ?? 4),
});
// Imported once: jose given raw bytes would import the key again on every verification.
const secret = await crypto.subtle.importKey(
  "raw",
  new TextEncoder().encode(env("JWT_SECRET")),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["verify"],
);
const template = JSON.parse(env("BENCH_JOB"));
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
const JOB_PATH = /^\/queue-job\/jobs\/([0-9a-f-]{36})$/;

async function user(req: Request): Promise<jose.JWTPayload | null> {
  const token = req.headers.get("authorization")?.match(/^Bearer (\S+)$/)?.[1];
  if (!token) return null;
  try {
    const opts = { algorithms: ["HS256"], requiredClaims: ["exp", "sub"] };
    const { payload } = await jose.jwtVerify(token, secret, opts);
    return payload.role === "authenticated" ? payload : null;
  } catch {
    return null;
  }
}

Deno.serve({
  port: Number(env("PORT")),
  hostname: "127.0.0.1",
  onListen: () => {},
}, async (req) => {
  const path = new URL(req.url).pathname;
  if (path === "/health") return json(200, { status: "ok" });
  const claims = await user(req);
  if (!claims) return json(401, { error: "unauthorized" });
  if (req.method === "POST" && path === "/queue-job") {
    const body = await req.json().catch(() => null);
    if (
      typeof body?.prompt !== "string" || typeof body?.model_id !== "string"
    ) {
      return json(400, { error: "prompt and model_id are required" });
    }
    const job = {
      ...template,
      api_model_id: body.model_id,
      prompt: body.prompt,
    };
    job.original_prompt = body.prompt;
    job.seed = Math.floor(Math.random() * 2 ** 31);
    const [row] = await sql`select * from public.enqueue_job(${claims
      .sub!}::uuid,
      ${sql.json(job)}, ${Number(env("BENCH_COST"))}::int)`;
    if (row.outcome !== "created") return json(409, { error: row.outcome });
    const { id, status, created_at } = row.job;
    return json(202, { job: { id, status, created_at }, balance: row.balance });
  }
  const id = JOB_PATH.exec(path)?.[1];
  if (req.method !== "GET" || !id) return json(404, { error: "not found" });
  const conn = await sql.reserve();
  try {
    const claimsJson = JSON.stringify(claims);
    const [, , rows] = await Promise.all([
      conn`begin`,
      conn`select set_config('role', 'authenticated', true),
        set_config('request.jwt.claims', ${claimsJson}, true)`,
      conn`select * from public.jobs where id = ${id}`,
      conn`commit`,
    ]);
    return rows.length ? json(200, { job: rows[0] }) : json(404, { error: "not found" });
  } finally {
    conn.release();
  }
});
