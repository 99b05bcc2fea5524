/**
 * Per-user rate limits for calls that spend model time on the user's behalf: a 429 with
 * Retry-After past the budget, the same budget across every instance (user_rate_windows).
 */
import type { Sql } from "../db/client.ts";
import { asService } from "../db/scopes.ts";
import { takeSlot } from "../db/tables/user_rate_windows.ts";
import { AppError } from "../errors.ts";

const FOREIGN_KEY_VIOLATION = "23503";

/**
 * Takes one slot of the user's budget for `bucket`.
 * @throws {AppError} RATE_LIMITED with Retry-After when the budget of this minute is spent;
 * FORBIDDEN when the user has no profile
 */
export async function enforceUserRateLimit(
  db: Sql,
  userId: string,
  bucket: string,
  defaultPerMinute: number,
): Promise<void> {
  // Service path: the counters are shared runtime state the user cannot write.
  const [row] = await asService(db, (tx) => takeSlot(tx, userId, bucket, defaultPerMinute))
    .catch((err) => {
      // The window row references the profile: a token can outlive its user.
      if ((err as { code?: string }).code === FOREIGN_KEY_VIOLATION) {
        throw new AppError("FORBIDDEN", "No profile for this user", { cause: err });
      }
      throw err;
    });
  if (row.wait_ms > 0) {
    throw new AppError("RATE_LIMITED", "Too many requests; try again shortly", {
      retryAfter: Math.ceil(row.wait_ms / 1000),
    });
  }
}
