/**
 * `POST /queue-job/jobs/:id/cancel`: the caller's own job is cancelled and refunded once, then
 * its provider is asked to stop; 409 when it had already ended.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asService } from "../../shared/db/scopes.ts";
import * as jobTable from "../../shared/db/tables/jobs.ts";
import * as webhookEvents from "../../shared/db/tables/webhook_events.ts";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { findJob, jobSummarySchema, summarize } from "../../shared/jobs/job_view.ts";
import { cancelAtProvider } from "../../shared/jobs/provider_cancel.ts";
import { isTerminalJobStatus, JOB_STATUS } from "../../shared/vocabulary.ts";
import type { QueueJobDeps } from "./app.ts";

const cancelRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/cancel",
  summary: "Cancel one of the caller's jobs and refund it",
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: {
      description: "Cancelled",
      content: {
        "application/json": {
          schema: z.object({ job: jobSummarySchema, refunded: z.number().int() }),
        },
      },
    },
    ...errorResponses(400, 401, 404, 409),
  },
});

/** Registers the route. */
export function registerCancelJob(app: FunctionApp, deps: QueueJobDeps): void {
  const { jobs } = deps;
  app.use("/jobs/:id/cancel", requireUser(deps.auth));
  app.openapi(cancelRoute, async (c) => {
    const caller = userCaller(c);
    const id = c.req.valid("param").id;
    c.set("audit", { action: "job.cancel", resourceType: "job", resourceId: id });
    const job = await findJob(jobs, caller.claims, id);
    if (!job) throw new AppError("NOT_FOUND", "No such job");
    if (isTerminalJobStatus(job.status)) {
      throw new AppError("CONFLICT", `The job is already ${job.status}`);
    }
    // The job is cancelled (and refunded) before the provider hears of it: the provider's own
    // cancel callback then finds it ended, instead of winning the race and leaving this request
    // to answer 409 for a cancel it caused.
    // Service path: the state machine and the refund are the backend's, for a job shown to be the caller's.
    const t = await asService(jobs.db, async (tx) => {
      // A terminal report being applied (outputs stored where the user can read them) cannot be
      // cancelled and refunded under it. The lock first: a delivery's claim holds the job's
      // key-share lock until it commits, so what the next statement reads is settled.
      await jobTable.lockJob(tx, id);
      const [{ busy }] = await webhookEvents.deliveryInProgress(tx, id);
      if (busy) return undefined;
      const [done] = await jobTable.transition(tx, id, "cancel", {
        error_code: "cancelled_by_user",
        error_message: "Cancelled by the user",
      });
      return done;
    });
    if (!t) {
      throw new AppError("CONFLICT", "The job is finishing: its outputs are being stored");
    }
    const after = await findJob(jobs, caller.claims, id);
    // A concurrent cancel of the same job got there first: the job ended as asked.
    if (!t.applied && after?.status !== JOB_STATUS.cancelled) {
      throw new AppError("CONFLICT", `The job is already ${t.status}`);
    }
    if (t.applied) await cancelAtProvider(jobs, job);
    return c.json({ job: await summarize(jobs, after!), refunded: t.refunded }, 200);
  });
}
