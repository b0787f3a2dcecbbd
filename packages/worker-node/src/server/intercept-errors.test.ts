import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StreamResponse, UnaryResponse } from "@connectrpc/connect";
import { interceptErrors } from "./intercept-errors.js";

const handled = (error: unknown) => new Error(`handled: ${(error as Error).message}`);

describe("interceptErrors", () => {
  it("passes a unary response through and hands an error before the response to the handler", async () => {
    const unary = { stream: false, message: { ok: true } } as unknown as UnaryResponse;
    assert.equal(await interceptErrors(async () => unary, handled), unary);
    await assert.rejects(
      interceptErrors(() => Promise.reject(new Error("early")), handled),
      /handled: early/,
    );
  });

  it("hands an error raised while a stream's messages are read to the handler, after the messages before it", async () => {
    const stream = {
      stream: true,
      message: (async function* () {
        yield 1;
        yield 2;
        throw new Error("midway");
      })(),
    } as unknown as StreamResponse;
    const response = await interceptErrors(async () => stream, handled);
    const seen: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const message of (response as StreamResponse).message) seen.push(message);
      })(),
      /handled: midway/,
    );
    assert.deepEqual(seen, [1, 2]);
  });
});
