import { requestJson } from "./rest-client.js";

/** One record as the REST batch route takes it. */
export interface FixtureRecord {
  readonly id: string;
  readonly timestamp: string;
  readonly payload: Record<string, string | number | boolean>;
}

const CITIES = ["berlin", "lagos", "lima", "osaka", "perth"];
const STATUSES = ["cancelled", "paid", "pending", "shipped"];
const START_MS = Date.UTC(2025, 0, 1);

function timestamp(n: number, stepMs: number): string {
  return new Date(START_MS + n * stepMs).toISOString();
}

/** Deterministic users: integer ages, a low-cardinality city, a flag. */
export function userRecords(count: number): FixtureRecord[] {
  return Array.from({ length: count }, (_, n) => ({
    id: `u-${n}`,
    timestamp: timestamp(n, 61_001),
    payload: {
      name: `user ${n}`,
      age: 18 + ((n * 7) % 53),
      city: CITIES[n % CITIES.length]!,
      active: n % 3 === 0,
    },
  }));
}

/** Deterministic orders of those users: integer amounts (cents) and quantities. */
export function orderRecords(count: number, users: number): FixtureRecord[] {
  return Array.from({ length: count }, (_, n) => ({
    id: `o-${n}`,
    timestamp: timestamp(n, 29_003),
    payload: {
      user_id: `u-${(n * 13) % users}`,
      amount: 100 + ((n * 7_919) % 50_000),
      quantity: 1 + (n % 9),
      status: STATUSES[(n * 5) % STATUSES.length]!,
    },
  }));
}

/** Numbered events `e-<n>` with `n` in the payload, so any prefix of them has a known count and sum. */
export function eventRecords(from: number, count: number): FixtureRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const n = from + index;
    return { id: `e-${n}`, timestamp: timestamp(n, 1_000), payload: { n, kind: `k${n % 7}` } };
  });
}

/** Writes the records through the REST batch route, `chunk` per request; throws on any refused batch. */
export async function writeRecords(
  rest: string,
  table: string,
  records: readonly FixtureRecord[],
  chunk = 1_000,
): Promise<void> {
  for (let start = 0; start < records.length; start += chunk) {
    const response = await requestJson(`${rest}/v1/data/batch`, {
      body: { table, records: records.slice(start, start + chunk) },
    });
    if (response.status !== 200)
      throw new Error(
        `batch write to ${table} failed (${response.status}): ${JSON.stringify(response.body)}`,
      );
  }
}
