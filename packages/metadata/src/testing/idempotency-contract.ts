import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IdempotencyEntry } from "@miniodb/core";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

const entry = (key: string, response: string, expiresIn: number): IdempotencyEntry => ({
  key,
  response,
  expiresAt: f.at(expiresIn),
});

/** Idempotency keys: the first writer wins until the entry expires at the caller's `now`. */
export function describeIdempotencyContract(store: StoreRef): void {
  describe("idempotency", () => {
    it("keeps the first response for a key until it expires", async () => {
      assert.equal(await store().getIdempotency("i_first", f.at(0)), undefined);
      const first = entry("i_first", '{"ok":true,"rows":1}', 60_000);
      assert.deepEqual(await store().putIdempotency(first, f.at(0)), first);
      const second = entry("i_first", '{"ok":true,"rows":2}', 120_000);
      assert.deepEqual(await store().putIdempotency(second, f.at(1_000)), first);
      assert.deepEqual(await store().getIdempotency("i_first", f.at(59_999)), first);
      assert.equal(await store().getIdempotency("i_first", f.at(60_000)), undefined);
    });

    it("lets a new response replace an expired one", async () => {
      const old = entry("i_expired", "old", 1_000);
      await store().putIdempotency(old, f.at(0));
      const fresh = entry("i_expired", "fresh", 9_000);
      assert.deepEqual(await store().putIdempotency(fresh, f.at(1_000)), fresh);
      assert.deepEqual(await store().getIdempotency("i_expired", f.at(1_001)), fresh);
    });

    it("gives concurrent writers of one key the same stored response", async () => {
      const attempts = Array.from({ length: 8 }, (_, i) => entry("i_race", `response-${i}`, 60_000));
      const stored = await Promise.all(attempts.map((attempt) => store().putIdempotency(attempt, f.at(0))));
      const winner = await store().getIdempotency("i_race", f.at(1));
      assert.ok(winner && attempts.some((attempt) => attempt.response === winner.response));
      for (const result of stored) assert.deepEqual(result, winner);
    });
  });
}
