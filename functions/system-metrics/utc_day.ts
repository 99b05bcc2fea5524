/** UTC calendar days as `YYYY-MM-DD`: the query and body schema, and day arithmetic. */
import { z } from "@hono/zod-openapi";

const DAY_MS = 86_400_000;

/** True for a real calendar day between 2000-01-01 and 2999-12-31. */
function isCalendarDay(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value &&
    value >= "2000-01-01" && value <= "2999-12-31";
}

/** A UTC day in a query or body. */
export const daySchema = z.string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine(isCalendarDay, "must be a calendar day between 2000-01-01 and 2999-12-31")
  .openapi({ example: "2026-12-01" });

/** The UTC day `at` falls in. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `day` moved by `n` days. */
export function addDays(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}
