/**
 * Webhook delivery for the simulators: one ordered channel per prediction or job, with the
 * scenario's duplicate / reorder / drop / delay knobs, retries of the terminal event on
 * non-2xx (like Replicate, intermediate events are never retried), and a log of attempts.
 */
import { chance, type WebhookKnobs } from "./scenario.ts";
import type { SimServer } from "./sim_server.ts";

/** One event to deliver. */
export interface WebhookEvent {
  url: string;
  /** Stable per (resource, event): duplicates and retries carry the same id. */
  id: string;
  event: string;
  body: string;
  /** The terminal event (retried, and the one `drop: true` drops). */
  final: boolean;
}

/** One delivery attempt, as `GET /_sim/webhooks` lists it. */
export interface DeliveryAttempt {
  id: string;
  event: string;
  url: string;
  attempt: number;
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  duplicate: boolean;
  at: string;
}

/** Builds the signature headers of one attempt (signed at send time). */
export type SignFn = (event: WebhookEvent) => Promise<Record<string, string>>;

/** Sends webhooks for one simulator. */
export class WebhookSender {
  readonly attempts: DeliveryAttempt[] = [];
  #inFlight = new Set<Promise<void>>();

  constructor(
    private server: SimServer,
    private sign: SignFn,
    private random: () => number = Math.random,
  ) {}

  /** A channel that keeps the order of one resource's events (unless told to reorder). */
  channel(knobs: WebhookKnobs = {}): WebhookChannel {
    return new WebhookChannel(this, knobs);
  }

  /** Deliveries in progress (retries and knob delays included). */
  get pending(): number {
    return this.#inFlight.size;
  }

  /** Waits for every delivery in progress (stop() calls it after cancelling timers). */
  async drain(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  /** @internal Tracks a delivery so drain() can wait for it. */
  track(p: Promise<void>): void {
    this.#inFlight.add(p);
    p.finally(() => this.#inFlight.delete(p));
  }

  /** @internal Delivers one event with retries, then its duplicate if the knob says so. */
  async deliver(ev: WebhookEvent, knobs: WebhookKnobs): Promise<void> {
    if (knobs.delay_ms && !(await this.server.sleep(knobs.delay_ms))) return;
    const retries = ev.final ? knobs.retries ?? 3 : 0;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const ok = await this.#attempt(ev, attempt, false);
      if (ok || this.server.stopping) break;
      if (!(await this.server.sleep(50 * 2 ** (attempt - 1)))) break;
    }
    if (chance(knobs.duplicate, this.random) && !this.server.stopping) {
      await this.#attempt(ev, 1, true);
    }
  }

  async #attempt(ev: WebhookEvent, attempt: number, duplicate: boolean): Promise<boolean> {
    let status = 0;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5_000);
    try {
      const res = await fetch(ev.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await this.sign(ev)) },
        body: ev.body,
        signal: abort.signal,
      });
      status = res.status;
      await res.body?.cancel();
    } catch {
      // The receiver is down or too slow: a failed attempt, like the real thing.
    } finally {
      clearTimeout(timer);
    }
    this.attempts.push({
      id: ev.id,
      event: ev.event,
      url: ev.url,
      attempt,
      status,
      duplicate,
      at: new Date().toISOString(),
    });
    return status >= 200 && status < 300;
  }
}

/** The ordered event stream of one prediction or job. */
export class WebhookChannel {
  #tail: Promise<void> = Promise.resolve();
  #held: WebhookEvent | undefined;

  constructor(private sender: WebhookSender, private knobs: WebhookKnobs) {}

  /** Queues an event; `reorder` may hold it back until the next one has been sent. */
  emit(ev: WebhookEvent): void {
    const drop = this.knobs.drop;
    const dropped = (ev.final && drop === true) || (Array.isArray(drop) && drop.includes(ev.event));
    const held = this.#held;
    this.#held = undefined;
    if (!dropped) {
      if (!held && !ev.final && chance(this.knobs.reorder)) {
        this.#held = ev;
        return;
      }
      this.#send(ev);
    }
    if (held) this.#send(held);
  }

  #send(ev: WebhookEvent): void {
    const next = this.#tail.then(() => this.sender.deliver(ev, this.knobs));
    this.#tail = next.catch(() => {});
    this.sender.track(this.#tail);
  }
}
