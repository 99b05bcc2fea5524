/** `GET /queue-job/jobs/:id` (with assets and signed previews) and `GET /queue-job/jobs` (keyset pages). */
import { createRoute, z } from "@hono/zod-openapi";
import { asUser } from "../../shared/db/scopes.ts";
import * as jobTable from "../../shared/db/tables/jobs.ts";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import {
  findJobWithAssets,
  jobAssetSchema,
  jobSummarySchema,
  summarize,
} from "../../shared/jobs/job_view.ts";
import type { QueueJobDeps } from "./app.ts";
import { decodeCursor, encodeCursor } from "../../shared/http/keyset_cursor.ts";
import { JOB_STATUSES } from "../../shared/vocabulary.ts";

const getRoute = createRoute({
  method: "get",
  path: "/jobs/{id}",
  summary: "One of the caller's jobs with its assets",
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: {
      description: "The job",
      content: {
        "application/json": {
          schema: z.object({ job: jobSummarySchema, assets: z.array(jobAssetSchema) }),
        },
      },
    },
    ...errorResponses(400, 401, 404),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/jobs",
  summary: "The caller's jobs, newest first",
  request: {
    query: z.object({
      status: z.enum(JOB_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(200).optional(),
    }),
  },
  responses: {
    200: {
      description: "A page of jobs",
      content: {
        "application/json": {
          schema: z.object({ jobs: z.array(jobSummarySchema), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...errorResponses(400, 401),
  },
});

/** Registers the read routes. */
export function registerReadJobs(app: FunctionApp, deps: QueueJobDeps): void {
  const { jobs } = deps;
  app.use("/jobs", requireUser(deps.auth));
  app.use("/jobs/:id", requireUser(deps.auth));
  app.openapi(getRoute, async (c) => {
    const caller = userCaller(c);
    const found = await findJobWithAssets(jobs, caller.claims, c.req.valid("param").id);
    if (!found) throw new AppError("NOT_FOUND", "No such job");
    return c.json({ job: await summarize(jobs, found.job), assets: found.assets }, 200);
  });
  app.openapi(listRoute, async (c) => {
    const caller = userCaller(c);
    const { status, limit, cursor } = c.req.valid("query");
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await asUser(
      jobs.db,
      caller.claims,
      (tx) => jobTable.ownJobsPage(tx, { status, after, limit }),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json({
      jobs: await Promise.all(page.map((j) => summarize(jobs, j))),
      next_cursor: rows.length > limit && last
        ? encodeCursor({ createdAt: last.created_at, id: last.id })
        : null,
    }, 200);
  });
}
