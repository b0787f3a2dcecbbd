import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { S3ObjectStore } from "../src/s3/s3-object-store.js";
import { describeObjectStoreContract } from "../src/testing/object-store-contract.js";
import { openTestS3Store, s3rverOptions } from "./support/s3-test-store.js";
import { S3rverProcess } from "../src/testing/s3rver-process.js";
import { selfSignedCert } from "./support/self-signed-cert.js";

describeObjectStoreContract("S3ObjectStore", () => openTestS3Store());

describe("S3ObjectStore", () => {
  const MiB = 1024 * 1024;
  let fixture: Awaited<ReturnType<typeof openTestS3Store>>;
  before(async () => {
    fixture = await openTestS3Store({ multipartThresholdBytes: 6 * MiB, multipartPartSizeBytes: 5 * MiB });
  });
  after(async () => {
    await fixture.store.close();
    await fixture.dispose();
  });

  it("uploads a body above the multipart threshold in parts and reads it back whole and in ranges", async () => {
    const body = Uint8Array.from({ length: 11 * MiB + 123 }, (_, i) => (i * 7 + (i >> 13)) % 256);
    const info = await fixture.store.put("big/multipart.bin", body);
    if (fixture.server) assert.match(fixture.server.log, /big\/multipart\.bin\?partNumber=3&uploadId=/);
    await fixture.store.put("big/single.bin", body.subarray(0, 6 * MiB - 1));
    if (fixture.server) assert.match(fixture.server.log, /Stored object "big\/single\.bin"/);
    if (fixture.server) assert.doesNotMatch(fixture.server.log, /single\.bin\?(?:partNumber|uploads)/);
    assert.equal(info.size, body.length);
    assert.deepEqual(await fixture.store.get("big/multipart.bin"), body);
    const tail = await fixture.store.get("big/multipart.bin", { start: 5 * MiB - 10, end: 5 * MiB + 10 });
    assert.deepEqual(tail, body.subarray(5 * MiB - 10, 5 * MiB + 10));
  });

  it("lists across pages", async () => {
    const paged = await openTestS3Store({ listPageSize: 3 });
    try {
      const keys = Array.from({ length: 10 }, (_, i) => `pages/${String(i).padStart(2, "0")}`);
      await Promise.all(keys.map((key) => paged.store.put(key, new Uint8Array([1]))));
      const listed = [];
      for await (const info of paged.store.list("pages/")) listed.push(info.key);
      assert.deepEqual(listed, keys);
    } finally {
      await paged.store.close();
      await paged.dispose();
    }
  });

  it("answers an empty range past the end and not_found for a range of a missing object", async () => {
    await fixture.store.put("edge/ten", new Uint8Array(10));
    assert.equal((await fixture.store.get("edge/ten", { start: 20 })).length, 0);
    assert.equal((await fixture.store.get("edge/ten", { start: 4, end: 4 })).length, 0);
    await assert.rejects(fixture.store.get("edge/none", { start: 3, end: 3 }), (e: unknown) =>
      MiniodbError.is(e, "not_found"),
    );
  });
});

describe("S3ObjectStore against an s3rver that goes away", () => {
  it("reports a stopped server as unavailable and works again once it is back", async () => {
    const server = await S3rverProcess.start();
    const store = await S3ObjectStore.create(s3rverOptions(server));
    try {
      await store.put("a/b", new Uint8Array([1, 2]));
      await server.kill();
      await assert.rejects(
        store.get("a/b"),
        (e: unknown) => MiniodbError.is(e, "unavailable") && e.retryable,
      );
      await server.restart();
      assert.deepEqual(await store.get("a/b"), new Uint8Array([1, 2]));
    } finally {
      await store.close();
      await server.dispose();
    }
  });

  it("refuses an unknown access key with a non-retryable error", async () => {
    const server = await S3rverProcess.start();
    const store = await S3ObjectStore.create(s3rverOptions(server, { accessKeyId: "WRONG" }));
    try {
      await assert.rejects(
        store.put("a/b", new Uint8Array([1])),
        (e: unknown) => MiniodbError.is(e, "permission_denied") && !e.retryable,
      );
    } finally {
      await store.close();
      await server.dispose();
    }
  });

  it("does not create the bucket when told not to", async () => {
    const server = await S3rverProcess.start();
    const store = await S3ObjectStore.create(s3rverOptions(server, { createBucket: false }));
    try {
      await assert.rejects(store.put("a/b", new Uint8Array([1])), (e: unknown) =>
        MiniodbError.is(e, "failed_precondition"),
      );
    } finally {
      await store.close();
      await server.dispose();
    }
  });
});

describe("S3ObjectStore over https", () => {
  it("trusts a private CA from caFile and refuses the endpoint without it, without retrying", async () => {
    const tls = selfSignedCert();
    const server = await S3rverProcess.start({ tls });
    const trusting = await S3ObjectStore.create(s3rverOptions(server, { caFile: tls.cert }));
    const untrusting = await S3ObjectStore.create(s3rverOptions(server));
    try {
      assert.match(server.endpoint, /^https:/);
      await trusting.put("tls/x", new Uint8Array([4, 2]));
      assert.deepEqual(await trusting.get("tls/x"), new Uint8Array([4, 2]));
      await assert.rejects(
        untrusting.get("tls/x"),
        (e: unknown) => MiniodbError.is(e, "unavailable") && !e.retryable,
      );
    } finally {
      await Promise.all([trusting.close(), untrusting.close()]);
      await server.dispose();
      rmSync(tls.directory, { recursive: true, force: true });
    }
  });
});
