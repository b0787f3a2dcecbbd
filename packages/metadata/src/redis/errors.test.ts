import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { ReplyError as UntypedReplyError } from "ioredis";
import { fromRedisError } from "./errors.js";

/** ioredis's reply error class (its typings declare it `any`). */
const ReplyError = UntypedReplyError as new (message: string) => Error;
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe("fromRedisError", () => {
  it("maps unreachable servers, timeouts and failover replies to retryable unavailable", () => {
    const errors: unknown[] = [
      socketError("ECONNREFUSED"),
      socketError("ECONNRESET"),
      socketError("ETIMEDOUT"),
      new Error("Connection is closed."),
      new Error("Command timed out"),
      Object.assign(new Error("Reached the max retries per request limit (which is 2)."), {
        name: "MaxRetriesPerRequestError",
      }),
      new Error("None of startup nodes is available"),
      new ReplyError("READONLY You can't write against a read only replica."),
      new ReplyError("LOADING Redis is loading the dataset in memory"),
      new ReplyError("CLUSTERDOWN The cluster is down"),
      new ReplyError("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."),
    ];
    for (const error of errors) {
      const translated = fromRedisError(error, "get table users");
      assert.equal(translated.code, "unavailable", String(error));
      assert.ok(translated.retryable);
      assert.equal(translated.cause, error);
      assert.match(translated.message, /cannot get table users/);
    }
  });

  it("maps memory and counter limits to resource_exhausted, retryable only for memory", () => {
    const oom = fromRedisError(
      new ReplyError("OOM command not allowed when used memory > 'maxmemory'."),
      "x",
    );
    assert.equal(oom.code, "resource_exhausted");
    assert.ok(oom.retryable);
    const overflow = fromRedisError(
      new ReplyError(
        "ERR Error running script (call to f_1): @user_script:1: ERR increment or decrement would overflow",
      ),
      "x",
    );
    assert.equal(overflow.code, "resource_exhausted");
    assert.equal(overflow.retryable, false);
  });

  it("passes MiniodbErrors through and calls anything else internal", () => {
    const aborted = new MiniodbError("aborted", "lost a race");
    assert.equal(fromRedisError(aborted, "x"), aborted);
    assert.equal(fromRedisError(new ReplyError("ERR syntax error"), "x").code, "internal");
    assert.equal(fromRedisError(new ReplyError("WRONGTYPE Operation against a key"), "x").code, "data_loss");
    assert.equal(fromRedisError("a string", "x").code, "internal");
  });
});
