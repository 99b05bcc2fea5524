/**
 * `POST /queue-job/jobs/:id/cancel` (the caller's job: provider cancel attempted, refund once,
 * 409 when already terminal) and `POST /queue-job/dispatch` (service role: one bounded
 * dispatcher + reconciler run, scheduled every minute).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asService } from "../../shared/db/scopes.ts";
import { AppError } from "../../shared/errors.ts";
import type { FunctionDeps } from "../../shared/function_deps.ts";
import { requireService } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { runDispatch } from "../../shared/jobs/dispatcher.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { findJob, jobSummarySchema, summarize } from "../../shared/jobs/job_view.ts";
import { cancelGeneration } from "../../shared/jobs/provider_calls.ts";

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

const dispatchRoute = createRoute({
  method: "post",
  path: "/dispatch",
  summary: "One dispatcher and reconciler run (service role)",
  request: {
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z.strictObject({
            limit: z.number().int().min(1).max(500).optional(),
            lease_seconds: z.number().int().min(5).max(3600).optional(),
            webhook_overdue_seconds: z.number().int().min(0).max(86400).optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "Counts",
      content: {
        "application/json": {
          schema: z.object({
            claimed: z.number(),
            submitted: z.number(),
            released: z.number(),
            retried: z.number(),
            failed: z.number(),
            reconciled: z.number(),
            expired: z.number(),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});

/** Registers cancel and dispatch. */
export function registerCancelAndDispatch(
  app: FunctionApp,
  deps: FunctionDeps,
  jobs: JobDeps,
): void {
  app.openapi(cancelRoute, async (c) => {
    const caller = c.get("caller");
    if (caller?.kind !== "user") {
      throw new AppError("UNAUTHORIZED", "A signed-in user's token is required");
    }
    const id = c.req.valid("param").id;
    c.set("audit", { action: "job.cancel", resourceType: "job", resourceId: id });
    const job = await findJob(jobs, caller.claims, id);
    if (!job) throw new AppError("NOT_FOUND", "No such job");
    if (["completed", "failed", "cancelled"].includes(job.status)) {
      throw new AppError("CONFLICT", `The job is already ${job.status}`);
    }
    // The job is cancelled (and refunded) before the provider hears of it: the provider's own
    // cancel callback then finds it ended, instead of winning the race and leaving this request
    // to answer 409 for a cancel it caused.
    // Service path: the state machine and the refund are the backend's, for a job shown to be the caller's.
    const [t] = await asService(
      jobs.db,
      (tx) =>
        tx<
          { applied: boolean; status: string; refunded: number }[]
        >`select * from public.job_transition(${id}::uuid, 'cancel',
        ${tx.json({ error_code: "cancelled_by_user", error_message: "Cancelled by the user" })})`,
    );
    const after = await findJob(jobs, caller.claims, id);
    // A concurrent cancel of the same job got there first: the job ended as asked.
    if (!t.applied && after?.status !== "cancelled") {
      throw new AppError("CONFLICT", `The job is already ${t.status}`);
    }
    if (t.applied && job.provider_prediction_id && job.api_model_id) {
      const model = await jobs.registry.modelById(job.api_model_id);
      if (model) {
        await cancelGeneration(model.provider, job.provider_prediction_id).catch((err) =>
          jobs.log.warn("provider cancel failed", { job_id: id, err })
        );
      }
    }
    return c.json({ job: await summarize(jobs, after!), refunded: t.refunded }, 200);
  });

  app.use("/dispatch", requireService(deps.auth));
  app.openapi(dispatchRoute, async (c) => {
    const body = c.req.valid("json") ?? {};
    const counts = await runDispatch(jobs, {
      limit: body.limit,
      leaseSeconds: body.lease_seconds,
      webhookOverdueSeconds: body.webhook_overdue_seconds,
    });
    return c.json(counts, 200);
  });
}
