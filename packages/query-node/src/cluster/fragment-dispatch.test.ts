import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import type { NodeEntry } from "@miniodb/core";
import { Encoding } from "@miniodb/proto/cluster";
import { dispatchFragments, type FragmentPart } from "./fragment-dispatch.js";
import type { WorkerClients } from "./worker-clients.js";

const node = (id: string) => ({ id, address: `${id}:7070` }) as NodeEntry;

/**
 * Fake workers: each answers with its id and the files it was given as the "file", in two chunks;
 * a worker listed in `down` fails after its first chunk, as a crash mid-stream does. Asked for
 * inline results, each answers with one text column holding the same, and `rowCount` as its
 * header claims (a lie when `inlineRows` says so).
 */
function fakeClients(
  down: ReadonlySet<string>,
  calls: string[],
  noCapture: ReadonlySet<string>,
  inlineRows = 1,
): WorkerClients {
  return {
    of: (worker: NodeEntry) => ({
      async *executeFragment(request: {
        tables: Array<{ files: Array<{ objectKey: string }>; captureId: string; captureBuffer?: boolean }>;
        inlineMaxCells: number;
      }) {
        const input = request.tables[0]!;
        calls.push(`${worker.id}:${input.files.map((file) => file.objectKey).join("+")}:${input.captureId}`);
        const body = Buffer.from(`${worker.id}|${input.files.map((file) => file.objectKey).join("+")}`);
        if (request.inlineMaxCells > 0) {
          yield {
            encoding: Encoding.TEXT_COLUMNS,
            columns: [{ name: "n", type: "VARCHAR" }],
            rowCount: BigInt(inlineRows),
            rowsScanned: BigInt(input.files.length),
            bufferCaptured: input.captureBuffer ?? false,
            data: Buffer.from(JSON.stringify([[body.toString()]])),
          };
          return;
        }
        yield {
          encoding: Encoding.PARQUET,
          columns: [{ name: "n", type: "BIGINT" }],
          rowCount: 1n,
          rowsScanned: BigInt(input.files.length),
          bufferCaptured: (input.captureBuffer ?? false) && !noCapture.has(worker.id),
          data: body.subarray(0, 2),
        };
        if (down.has(worker.id)) throw new ConnectError("connection reset", Code.Unavailable);
        yield {
          encoding: Encoding.PARQUET,
          columns: [],
          rowCount: 0n,
          rowsScanned: 0n,
          data: body.subarray(2),
        };
      },
    }),
  } as unknown as WorkerClients;
}

describe("dispatchFragments", () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), "miniodb-dispatch-"));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  const dispatch = (
    parts: FragmentPart<string>[],
    down: string[],
    live: string[],
    calls: string[] = [],
    noCapture: string[] = [],
    inline?: { rows: number },
  ) =>
    dispatchFragments(parts, {
      clients: fakeClients(new Set(down), calls, new Set(noCapture), inline?.rows),
      sql: "SELECT count(*) AS n FROM t",
      directory,
      inlineMaxCells: inline ? 100 : 0,
      inputOf: (part) => ({
        table: "t",
        files: part.files.map((key) => ({ objectKey: key })),
        captureId: part.capture?.captureId ?? "",
        captureBuffer: part.capture?.inFragment ?? false,
      }),
      liveWorkers: async () => live.map(node),
    });
  const capture = (id: string, rowCount: number) => ({ worker: node(id), captureId: `c-${id}`, rowCount });
  const inFragment = (id: string) => ({ worker: node(id), captureId: "", rowCount: 0, inFragment: true });

  it("collects every worker's whole result as a file", async () => {
    const outputs = await dispatch(
      [
        { worker: node("w1"), files: ["a", "b"], capture: capture("w1", 3) },
        { worker: node("w2"), files: ["c"], capture: capture("w2", 0) },
      ],
      [],
      ["w1", "w2"],
    );
    assert.deepEqual(outputs.map((output) => readFileSync(output.path!, "utf8")).sort(), ["w1|a+b", "w2|c"]);
    assert.deepEqual(
      outputs.map((output) => output.rowsScanned),
      [2, 1],
    );
  });

  it("takes small results inline, writing no file", async () => {
    const before = readdirSync(directory).length;
    const outputs = await dispatch(
      [
        { worker: node("w1"), files: ["a", "b"], capture: capture("w1", 3) },
        { worker: node("w2"), files: ["c"], capture: capture("w2", 0) },
      ],
      [],
      ["w1", "w2"],
      [],
      [],
      { rows: 1 },
    );
    assert.deepEqual(outputs.map((output) => output.text).sort(), [[["w1|a+b"]], [["w2|c"]]]);
    assert.ok(outputs.every((output) => output.path === undefined));
    assert.equal(readdirSync(directory).length, before);
  });

  it("fails with internal when an inline result does not have the shape its header gives", async () => {
    await assert.rejects(
      dispatch([{ worker: node("w1"), files: ["a"], capture: capture("w1", 0) }], [], ["w1"], [], [], {
        rows: 2,
      }),
      (error: Error & { code?: string }) => error.code === "internal" && /malformed/.test(error.message),
    );
  });

  it("retries the files of a worker that fails mid-stream on another live worker, without its capture", async () => {
    const calls: string[] = [];
    const outputs = await dispatch(
      [
        { worker: node("w1"), files: ["a"], capture: capture("w1", 0) },
        { worker: node("w2"), files: ["b", "c"], capture: capture("w2", 0) },
      ],
      ["w2"],
      ["w1", "w2"],
      calls,
    );
    assert.deepEqual(outputs.map((output) => readFileSync(output.path!, "utf8")).sort(), ["w1|a", "w1|b+c"]);
    assert.deepEqual(calls.sort(), ["w1:a:c-w1", "w1:b+c:", "w2:b+c:c-w2"]);
  });

  it("fails with unavailable, leaving no file behind, when the failed worker's buffer held rows", async () => {
    const before = readdirSync(directory).length;
    await assert.rejects(
      dispatch(
        [
          { worker: node("w1"), files: ["a"], capture: capture("w1", 0) },
          { worker: node("w2"), files: ["b"], capture: capture("w2", 5) },
        ],
        ["w2"],
        ["w1", "w2"],
      ),
      (error: Error & { code?: string }) => error.code === "unavailable" && /w2/.test(error.message),
    );
    assert.equal(readdirSync(directory).length, before);
  });

  it("fails with unavailable when no other worker is live to take the files", async () => {
    await assert.rejects(
      dispatch([{ worker: node("w1"), files: ["a"], capture: capture("w1", 0) }], ["w1"], ["w1"]),
      (error: Error & { code?: string }) => error.code === "unavailable",
    );
  });

  it("drops the part of a failed worker that had neither files nor buffered rows", async () => {
    const outputs = await dispatch(
      [
        { worker: node("w1"), files: ["a"], capture: capture("w1", 0) },
        { worker: node("w2"), files: [], capture: capture("w2", 0) },
      ],
      ["w2"],
      ["w1"],
    );
    assert.deepEqual(
      outputs.map((output) => output.worker),
      ["w1"],
    );
  });

  it("fails with unavailable, without retrying elsewhere, when a worker that was to capture in the call fails", async () => {
    const calls: string[] = [];
    await assert.rejects(
      dispatch(
        [
          { worker: node("w1"), files: ["a"], capture: inFragment("w1") },
          { worker: node("w2"), files: ["b"], capture: inFragment("w2") },
        ],
        ["w2"],
        ["w1", "w2"],
        calls,
      ),
      (error: Error & { code?: string }) => error.code === "unavailable" && /w2/.test(error.message),
    );
    assert.deepEqual(calls.sort(), ["w1:a:", "w2:b:"]);
  });

  it("fails with aborted (manifest_stale) when a worker does not report the capture it was asked for", async () => {
    await assert.rejects(
      dispatch(
        [
          { worker: node("w1"), files: ["a"], capture: inFragment("w1") },
          { worker: node("w2"), files: ["b"], capture: inFragment("w2") },
        ],
        [],
        ["w1", "w2"],
        [],
        ["w2"],
      ),
      (error: Error & { code?: string; details?: Record<string, string> }) =>
        error.code === "aborted" && error.details?.["reason"] === "manifest_stale",
    );
  });
});
