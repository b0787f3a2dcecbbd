import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Manifest } from "@miniodb/core";
import { unflushedRowRefs, type CapturedBuffer } from "./unflushed-rows.js";

const line = (id: string, sequence: number) =>
  JSON.stringify({ id, timestamp: 1, __miniodb_seq: String(sequence), v: id });

const manifest: Manifest = { table: "t", version: 3, files: [] };

describe("unflushedRowRefs", () => {
  it("reads every line of every chunk and keeps the rows whose id is asked for", async () => {
    const seen: Manifest[] = [];
    const captured: CapturedBuffer = {
      async *rowsOutside(read) {
        seen.push(read);
        yield `${line("a", 1)}\n${line("b", 2)}\n`;
        yield `${line("a", 5)}\n`;
        yield "";
        yield `${line("c", 7)}\n`;
      },
    };
    const refs = await unflushedRowRefs(captured, manifest, new Set(["a", "c"]));
    assert.deepEqual(refs, [
      { id: "a", sequence: 1n },
      { id: "a", sequence: 5n },
      { id: "c", sequence: 7n },
    ]);
    assert.deepEqual(seen, [manifest], "the capture is read against the manifest it was given");
  });
});
