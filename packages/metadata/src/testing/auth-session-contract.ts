import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

const session = (id: string, expiresIn = 60_000) => ({
  id,
  keyId: "key-a",
  refreshTokenId: `${id}-t1`,
  expiresAt: f.at(expiresIn),
});

/** Auth sessions: one current refresh token per session, rotated atomically; reuse revokes. */
export function describeAuthSessionContract(store: StoreRef): void {
  describe("auth sessions", () => {
    it("creates a session once and reads it back until it expires", async () => {
      assert.equal(await store().getAuthSession("s_new", f.at(0)), undefined);
      await store().createAuthSession(session("s_new"), f.at(0));
      assert.deepEqual(await store().getAuthSession("s_new", f.at(59_999)), {
        ...session("s_new"),
        revoked: false,
      });
      assert.equal(await store().getAuthSession("s_new", f.at(60_000)), undefined);
      await f.rejectsWith(store().createAuthSession(session("s_new"), f.at(1)), "already_exists");
      await store().createAuthSession({ ...session("s_new", 120_000), keyId: "key-b" }, f.at(60_000));
      assert.equal((await store().getAuthSession("s_new", f.at(60_001)))?.keyId, "key-b");
    });

    it("rotates the current refresh token and revokes the session when an old one comes back", async () => {
      await store().createAuthSession(session("s_rot"), f.at(0));
      const rotated = await store().rotateAuthSession("s_rot", "s_rot-t1", "s_rot-t2", f.at(1));
      assert.deepEqual(rotated, {
        outcome: "rotated",
        session: { ...session("s_rot"), refreshTokenId: "s_rot-t2", revoked: false },
      });
      assert.deepEqual(await store().rotateAuthSession("s_rot", "s_rot-t1", "s_rot-t3", f.at(2)), {
        outcome: "reused",
      });
      assert.equal((await store().getAuthSession("s_rot", f.at(3)))?.revoked, true);
      assert.deepEqual(await store().rotateAuthSession("s_rot", "s_rot-t2", "s_rot-t4", f.at(4)), {
        outcome: "revoked",
      });
    });

    it("lets exactly one of concurrent rotations of the same token win", async () => {
      await store().createAuthSession(session("s_race"), f.at(0));
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          store().rotateAuthSession("s_race", "s_race-t1", `s_race-n${i}`, f.at(1)),
        ),
      );
      assert.equal(outcomes.filter((result) => result.outcome === "rotated").length, 1);
      assert.ok(outcomes.some((result) => result.outcome === "reused"));
      assert.equal((await store().getAuthSession("s_race", f.at(2)))?.revoked, true);
    });

    it("revokes, and answers unknown for missing and expired sessions", async () => {
      await store().createAuthSession(session("s_rev"), f.at(0));
      await store().revokeAuthSession("s_rev", f.at(1));
      await store().revokeAuthSession("s_missing", f.at(1));
      assert.equal((await store().getAuthSession("s_rev", f.at(2)))?.revoked, true);
      assert.deepEqual(await store().rotateAuthSession("s_rev", "s_rev-t1", "x", f.at(2)), {
        outcome: "revoked",
      });
      assert.deepEqual(await store().rotateAuthSession("s_missing", "a", "b", f.at(2)), {
        outcome: "unknown",
      });
      await store().createAuthSession(session("s_old", 1_000), f.at(0));
      assert.deepEqual(await store().rotateAuthSession("s_old", "s_old-t1", "x", f.at(1_000)), {
        outcome: "unknown",
      });
    });
  });
}
