import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError, type Lease } from "@miniodb/core";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

/**
 * Leases: one holder at a time, renewable, expiring by the caller's `now`, fenced by a token that
 * manifest commits made under the lease carry.
 */
export function describeLeaseContract(store: StoreRef): void {
  describe("leases", () => {
    it("grants a free lease to one holder until it expires", async () => {
      const lease = await store().acquireLease("l_exclusive", "node-a", f.at(0), 10_000);
      assert.ok(lease && Number.isSafeInteger(lease.token));
      assert.deepEqual(lease, {
        name: "l_exclusive",
        holder: "node-a",
        expiresAt: f.at(10_000),
        token: lease.token,
      });
      assert.equal(await store().acquireLease("l_exclusive", "node-b", f.at(1), 10_000), undefined);
      assert.equal(await store().acquireLease("l_exclusive", "node-b", f.at(9_999), 10_000), undefined);
      const taken = await store().acquireLease("l_exclusive", "node-b", f.at(10_000), 10_000);
      assert.equal(taken?.holder, "node-b");
      assert.ok(taken.token > lease.token, "a new grant must get a higher token");
      assert.equal(await store().acquireLease("l_exclusive", "node-a", f.at(10_001), 10_000), undefined);
    });

    it("renews the holder's lease with the same token", async () => {
      const lease = await store().acquireLease("l_renew", "node-a", f.at(0), 10_000);
      const renewed = await store().acquireLease("l_renew", "node-a", f.at(8_000), 10_000);
      assert.deepEqual(renewed, { ...lease, expiresAt: f.at(18_000) });
      assert.equal(await store().acquireLease("l_renew", "node-b", f.at(12_000), 10_000), undefined);
    });

    it("releases only for the holder with the current token", async () => {
      const first = (await store().acquireLease("l_release", "node-a", f.at(0), 1_000))!;
      const second = (await store().acquireLease("l_release", "node-b", f.at(2_000), 10_000))!;
      await store().releaseLease(first);
      await store().releaseLease({ ...second, holder: "node-a" });
      await store().releaseLease({ ...second, token: first.token });
      assert.equal(await store().acquireLease("l_release", "node-c", f.at(3_000), 10_000), undefined);
      await store().releaseLease(second);
      const third = await store().acquireLease("l_release", "node-c", f.at(3_000), 10_000);
      assert.equal(third?.holder, "node-c");
      assert.ok(third.token > second.token && second.token > first.token);
    });

    it("increases the token on every new grant, even to the same holder", async () => {
      const tokens: number[] = [];
      for (let round = 0; round < 3; round++) {
        const lease = (await store().acquireLease("l_tokens", "node-a", f.at(round * 100), 50))!;
        tokens.push(lease.token);
        await store().releaseLease(lease);
      }
      // A holder whose lease lapsed gets a new grant, not a renewal: it may have been fenced off.
      const lapsing = (await store().acquireLease("l_tokens", "node-a", f.at(1_000), 50))!;
      const regranted = (await store().acquireLease("l_tokens", "node-a", f.at(1_050), 50))!;
      tokens.push(lapsing.token, regranted.token);
      for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i]! > tokens[i - 1]!, `tokens ${tokens}`);
    });

    it("fences manifest commits: a holder whose lease went to another cannot commit", async () => {
      await store().createTable(f.table("l_fenced"));
      const first = (await store().acquireLease("l_fence", "node-a", f.at(0), 1_000))!;
      const fence = (lease: Lease) => ({ name: lease.name, token: lease.token });
      assert.equal(
        await store().commitManifest("l_fenced", { add: [f.file("l_fenced", 1)], fence: fence(first) }),
        1,
      );
      // node-a's lease lapses and node-b takes it: node-a's late commit is refused, changing nothing.
      const second = (await store().acquireLease("l_fence", "node-b", f.at(2_000), 10_000))!;
      const lost = (error: unknown) =>
        MiniodbError.is(error, "aborted") && (error as MiniodbError).details["reason"] === "lease_lost";
      await assert.rejects(
        store().commitManifest("l_fenced", { add: [f.file("l_fenced", 2)], fence: fence(first) }),
        lost,
      );
      assert.equal((await store().getManifest("l_fenced")).version, 1);
      assert.equal(
        await store().commitManifest("l_fenced", {
          remove: [f.file("l_fenced", 1).key],
          fence: fence(second),
        }),
        2,
      );
      await assert.rejects(
        store().commitManifest("l_fenced", { add: [f.file("l_fenced", 3)], fence: fence(first) }),
        lost,
      );
      // A lease never granted fences everything off; unfenced commits are not affected.
      await assert.rejects(
        store().commitManifest("l_fenced", {
          add: [f.file("l_fenced", 4)],
          fence: { name: "l_never", token: 1 },
        }),
        lost,
      );
      assert.equal(await store().commitManifest("l_fenced", { add: [f.file("l_fenced", 5)] }), 3);
      assert.deepEqual(
        (await store().getManifest("l_fenced")).files.map((file) => file.key),
        [f.file("l_fenced", 5).key],
      );
    });

    it("keeps leases of different names apart", async () => {
      assert.ok(await store().acquireLease("l_one", "node-a", f.at(0), 10_000));
      assert.ok(await store().acquireLease("l_two", "node-b", f.at(0), 10_000));
    });
  });
}
