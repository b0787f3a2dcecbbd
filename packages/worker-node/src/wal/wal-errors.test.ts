import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { walFileError, walIo } from "./wal-errors.js";

const errno = (code: string) => Object.assign(new Error(code), { code });

describe("WAL file errors", () => {
  it("maps a full disk to resource_exhausted and other failures to unavailable, keeping the cause", () => {
    const full = walFileError(errno("ENOSPC"), "write", "/wal/1.wal");
    assert.equal(full.code, "resource_exhausted");
    assert.equal(full.details["errno"], "ENOSPC");
    const io = walFileError(errno("EIO"), "fsync", "/wal/1.wal");
    assert.equal(io.code, "unavailable");
    assert.equal(io.details["path"], "/wal/1.wal");
    assert.equal((io.cause as Error).message, "EIO");
  });

  it("passes MiniodbErrors through and translates what walIo's operation throws", async () => {
    const own = new MiniodbError("data_loss", "bad");
    assert.equal(walFileError(own, "read", "/x"), own);
    await assert.rejects(
      walIo("write", "/wal/2.wal", () => Promise.reject(errno("EDQUOT"))),
      (error) => MiniodbError.is(error, "resource_exhausted"),
    );
  });
});
