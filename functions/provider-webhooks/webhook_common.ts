/** What the provider webhook routes share: raw body, payload hash, sender verification. */
import type { Context } from "hono";
import { AppError } from "../../shared/errors.ts";
import type { HonoEnv } from "../../shared/http/context.ts";
import { encodeHex } from "../../shared/providers/encoding.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";
import type { Verification } from "../../shared/providers/webhook_signatures.ts";

/** The exact bytes the provider signed. */
export function rawBody(c: Context<HonoEnv>): Promise<Uint8Array> {
  // The app's body reader (shared/http/body_reader.ts) read and capped it before any route ran.
  return Promise.resolve(c.get("requestBody") ?? new Uint8Array(0));
}

/** sha256 hex of the body, kept with the delivery record. */
export async function payloadHash(body: Uint8Array): Promise<string> {
  return encodeHex(new Uint8Array(await crypto.subtle.digest("SHA-256", body)));
}

/** A 401 that says nothing about why (the reason goes to the log). */
export function refused(): AppError {
  return new AppError("UNAUTHORIZED", "Invalid webhook signature");
}

/**
 * Identifies and authenticates a callback's sender: the provider row named in the URL (of the
 * expected adapter), its webhook secret (`webhook_secret_name`, else `<NAME>_WEBHOOK_SECRET`),
 * and the signature over the raw body. Refusals say nothing about why; the log does.
 */
export async function verifySender(
  c: Context<HonoEnv>,
  deps: JobDeps,
  opts: {
    name: string;
    adapter: ProviderRow["adapter"];
    verify: (
      secret: string,
      headers: Headers,
      body: Uint8Array,
      nowSeconds: number,
    ) => Promise<Verification>;
  },
): Promise<{ row: ProviderRow; body: Uint8Array }> {
  const body = await rawBody(c);
  const row = await deps.registry.providerByName(opts.name);
  if (!row || row.adapter !== opts.adapter) throw refused();
  const secret = deps.registry.webhookSecret(row);
  if (!secret) {
    deps.log.error("webhook secret missing", { provider: row.name });
    throw new AppError("UNAVAILABLE", "Webhook receiver not configured", { retryAfter: 60 });
  }
  const verdict = await opts.verify(
    secret,
    c.req.raw.headers,
    body,
    Math.floor(deps.now().getTime() / 1000),
  );
  if (!verdict.ok) {
    deps.log.warn("webhook refused", { provider: row.name, reason: verdict.reason });
    throw refused();
  }
  return { row, body };
}
