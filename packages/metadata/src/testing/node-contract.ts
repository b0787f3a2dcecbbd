import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NodeEntry, NodeRole } from "@miniodb/core";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

const node = (id: string, role: NodeRole, expiresIn: number, address = `${id}.local:7000`): NodeEntry => ({
  id,
  role,
  address,
  startedAt: f.at(-60_000),
  expiresAt: f.at(expiresIn),
});

/** The node registry: entries lapse at `expiresAt` as seen by the caller's `now`. */
export function describeNodeContract(store: StoreRef): void {
  describe("nodes", () => {
    const mine = async (now: Date) =>
      (await store().listNodes(now)).filter((entry) => entry.id.startsWith("n-"));

    it("lists the nodes not yet expired at now, sorted by id", async () => {
      const [b, a, c] = [
        node("n-b", "worker", 10_000),
        node("n-a", "query", 20_000),
        node("n-c", "all-in-one", 5_000),
      ];
      for (const entry of [b!, a!, c!]) await store().putNode(entry);
      assert.deepEqual(await mine(f.at(0)), [a, b, c]);
      assert.deepEqual(await mine(f.at(4_999)), [a, b, c]);
      assert.deepEqual(await mine(f.at(5_000)), [a, b]);
      assert.deepEqual(await mine(f.at(19_999)), [a]);
      assert.deepEqual(await mine(f.at(20_000)), []);
    });

    it("renews an entry that is put again", async () => {
      const renewed = node("n-c", "all-in-one", 30_000, "10.0.0.3:7001");
      await store().putNode(renewed);
      assert.deepEqual(await mine(f.at(25_000)), [renewed]);
    });

    it("keeps a draining node's state, and active again when renewed without it", async () => {
      const draining: NodeEntry = { ...node("n-e", "worker", 40_000), state: "draining" };
      await store().putNode(draining);
      assert.deepEqual(
        (await mine(f.at(0))).find((entry) => entry.id === "n-e"),
        draining,
      );
      const active = node("n-e", "worker", 40_000);
      await store().putNode(active);
      assert.deepEqual(
        (await mine(f.at(0))).find((entry) => entry.id === "n-e"),
        active,
      );
      await store().removeNode("n-e");
    });

    it("removes an entry, and removing an unknown id is harmless", async () => {
      await store().putNode(node("n-d", "worker", 50_000));
      await store().removeNode("n-d");
      await store().removeNode("n-never-registered");
      assert.deepEqual(
        (await mine(f.at(0))).map((entry) => entry.id),
        ["n-a", "n-b", "n-c"],
      );
    });
  });
}
