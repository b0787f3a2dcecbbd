import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MetadataStore } from "@miniodb/core";
import { describeAuthSessionContract } from "./auth-session-contract.js";
import { describeBackupContract } from "./backup-contract.js";
import { describeIdempotencyContract } from "./idempotency-contract.js";
import { describeLeaseContract } from "./lease-contract.js";
import { describeManifestContract } from "./manifest-contract.js";
import { describeNodeContract } from "./node-contract.js";
import { describeSequenceContract } from "./sequence-contract.js";
import { describeTableContract } from "./table-contract.js";
import { describeTombstoneContract } from "./tombstone-contract.js";
import { describeWalMarkContract } from "./wal-mark-contract.js";

/** Opens a fresh, empty store for the suite and disposes of it afterwards. */
export interface MetadataStoreFixture {
  readonly store: MetadataStore;
  readonly dispose: () => Promise<void>;
}

/**
 * The behaviour every MetadataStore must have. Each implementation's test file calls this once;
 * the same suite runs against the embedded store and Redis (standalone, Sentinel, Cluster). It
 * uses only the port, and all times it passes lie in the year 2100 so wall-clock expiry in a
 * backend never interferes.
 */
export function describeMetadataStoreContract(name: string, open: () => Promise<MetadataStoreFixture>): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let fixture: MetadataStoreFixture | undefined;
    const store = (): MetadataStore => {
      assert.ok(fixture, "the store did not open");
      return fixture.store;
    };
    before(async () => {
      fixture = await open();
    });
    after(async () => {
      await fixture?.store.close();
      await fixture?.dispose();
    });

    it("answers a ping", async () => {
      await store().ping();
    });
    describeTableContract(store);
    describeManifestContract(store);
    describeTombstoneContract(store);
    describeSequenceContract(store);
    describeNodeContract(store);
    describeWalMarkContract(store);
    describeLeaseContract(store);
    describeBackupContract(store);
    describeIdempotencyContract(store);
    describeAuthSessionContract(store);
  });
}
