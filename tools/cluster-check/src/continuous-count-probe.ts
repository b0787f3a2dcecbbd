import { setTimeout as sleep } from "node:timers/promises";
import { eventRecords } from "./fixture-rows.js";
import { requestJson, tryQuery } from "./rest-client.js";

/** One query of the probe: when it was sent and answered, and whether its answer was allowed. */
export interface CountObservation {
  /** `strict`: asked between two writes; `concurrent`: asked while a write may be in flight. */
  readonly kind: "strict" | "concurrent";
  readonly sentAt: number;
  readonly doneAt: number;
  readonly outcome: "exact" | "unavailable" | "wrong";
  readonly detail: string;
}

/**
 * Writes numbered events (`n` = 0, 1, 2, …) in batches, one at a time, and counts them continuously:
 * - after each acknowledged batch the writer itself asks for count, distinct ids and sum of `n`,
 *   which must be exactly those of the rows acknowledged so far;
 * - a second loop, once the first batch is acknowledged, queries at the same time; its count must lie between the rows acknowledged when
 *   it asked and those acknowledged (plus the one batch in flight) when it was answered, with every
 *   id counted once.
 * Either may fail cleanly with `unavailable` (503); any other answer is recorded as wrong. A write
 * that is not acknowledged stops the probe with an error: the count would be unknowable.
 */
export class ContinuousCountProbe {
  readonly #rest: string;
  readonly #table: string;
  readonly #batch: number;
  readonly #sql: string;
  #acknowledged = 0;
  #running = false;
  #loops: Array<Promise<void>> = [];
  readonly observations: CountObservation[] = [];

  constructor(rest: string, table: string, batch = 50) {
    this.#rest = rest;
    this.#table = table;
    this.#batch = batch;
    this.#sql = `SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(n) AS total FROM ${table}`;
  }

  get acknowledged(): number {
    return this.#acknowledged;
  }

  start(): void {
    this.#running = true;
    this.#loops = [this.#write(), this.#read()];
  }

  /** Stops both loops after their current step; rethrows a refused write. */
  async stop(): Promise<void> {
    this.#running = false;
    const results = await Promise.allSettled(this.#loops);
    for (const result of results) if (result.status === "rejected") throw result.reason;
  }

  async #write(): Promise<void> {
    while (this.#running) {
      const records = eventRecords(this.#acknowledged, this.#batch);
      const response = await requestJson(`${this.#rest}/v1/data/batch`, {
        body: { table: this.#table, records },
      });
      if (response.status !== 200) {
        this.#running = false;
        throw new Error(
          `a write of ${records.length} rows after ${this.#acknowledged} was refused (${response.status}): ${JSON.stringify(response.body)}`,
        );
      }
      this.#acknowledged += records.length;
      const want = this.#acknowledged;
      await this.#observe("strict", want, want);
    }
  }

  async #read(): Promise<void> {
    // Until the first batch is acknowledged the table has no column `n`, and the query is
    // refused as it would be on a single node (unknown column).
    while (this.#running && this.#acknowledged === 0) await sleep(20);
    while (this.#running) {
      await this.#observe("concurrent", this.#acknowledged, undefined);
      await sleep(20);
    }
  }

  /** Runs one count; `low`/`high` bound the allowed count (`high` undefined: acknowledged + a batch at the answer). */
  async #observe(kind: CountObservation["kind"], low: number, high: number | undefined): Promise<void> {
    const sentAt = Date.now();
    const outcome = await tryQuery(this.#rest, this.#sql);
    const doneAt = Date.now();
    const record = (result: CountObservation["outcome"], detail: string) =>
      this.observations.push({ kind, sentAt, doneAt, outcome: result, detail });
    if (!outcome.ok) {
      if (outcome.status === 503 && outcome.code === "unavailable") record("unavailable", outcome.message);
      else record("wrong", `${outcome.status} ${outcome.code}: ${outcome.message}`);
      return;
    }
    const row = outcome.rows[0] ?? {};
    const n = Number(row["n"]);
    const ids = Number(row["ids"]);
    const total = Number(row["total"] ?? 0);
    const upper = high ?? this.#acknowledged + this.#batch;
    const detail = `n=${n} ids=${ids} total=${total}, allowed [${low}, ${upper}]`;
    const countAllowed = n >= low && n <= upper && ids === n;
    // Strict counts see exactly the events 0 … n-1; a concurrent one may see part of a batch.
    const sumAllowed = high === undefined || total === (n * (n - 1)) / 2;
    record(countAllowed && sumAllowed ? "exact" : "wrong", detail);
  }
}
