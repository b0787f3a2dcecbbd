import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runMiniodb, spawnNode, type CliResult, type NodeProcess } from "./support/cli-process.js";

const NDJSON = [
  '{"id":"n1","timestamp":"2026-01-01T00:00:00Z","user":"ada","n":1}',
  "",
  '{"id":"n2","timestamp":1767225600000,"user":"bob","n":2}',
  "not json",
  "[1, 2]",
  '{"id":"n3","timestamp":"yesterday","n":3}',
  '{"id":"n4","payload":{"user":"cy","n":4}}',
  '{"id":"bad id!","n":5}',
].join("\n");

const CSV = ["id,timestamp,user,n", "c1,2026-01-02T00:00:00Z,dee,10", 'c2,,"007",11', "c3,oops"].join("\n");

const JSON_ARRAY = JSON.stringify([
  { key: "j1", at: "2026-01-03T00:00:00Z", user: "eve", n: 20 },
  { key: "j2", at: 1767398401000, user: "fay", n: 21 },
]);

describe("miniodb data commands against a real node", () => {
  let node: NodeProcess;
  let dir: string;
  const miniodb = (args: string[], input?: string): Promise<CliResult> =>
    runMiniodb(args, { env: { MINIODB_SERVER: node.server }, ...(input === undefined ? {} : { input }) });
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "miniodb-cli-files-"));
    node = await spawnNode({ MINIODB_TABLES__AUTO_CREATE: "false" });
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to import into an unknown table when the server does not create tables", async () => {
    const result = await miniodb(["import", file("ok.ndjson", '{"id":"x1","n":1}\n'), "--table", "ghost"]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^miniodb: not_found: .*ghost/m);
    const tables = await miniodb(["tables", "list", "--format", "json"]);
    assert.deepEqual(JSON.parse(tables.stdout), []);
  });

  it("imports NDJSON, reporting every rejected record by its line, and exits 1", async () => {
    const result = await miniodb(["import", file("events.ndjson", NDJSON), "-t", "events", "--create-table"]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^imported 3 of 7 records into events in [\d.]+ s; 4 rejected$/m);
    const problems = result.stderr.trim().split("\n");
    assert.deepEqual(
      problems.map((line) => line.replace(/:.*/, "")),
      ["line 4", "line 5", "line 6", "line 8"],
    );
    assert.match(problems[0]!, /not JSON/);
    assert.match(problems[1]!, /not a JSON object/);
    assert.match(problems[2]!, /"timestamp" must be an RFC 3339 time/);
    assert.match(problems[3]!, /invalid id "bad id!"/, "the server's rejection, mapped to its line");
  });

  it("imports CSV (cells typed, a ragged row rejected) and a JSON array with other id and time columns", async () => {
    const csv = await miniodb(["import", file("more.csv", CSV), "-t", "events", "--batch-size", "1"]);
    assert.equal(csv.code, 1, csv.stderr);
    assert.match(csv.stdout, /imported 2 of 3 records/);
    assert.match(csv.stderr, /^line 4: .*column/im);
    const json = await miniodb([
      "import",
      file("more.json", JSON_ARRAY),
      "-t",
      "events",
      "--id-column",
      "key",
      "--timestamp-column",
      "at",
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.match(json.stdout, /^imported 2 of 2 records into events/);
    assert.equal(json.stderr, "");
  });

  it("imports NDJSON from stdin and writes one record from flags", async () => {
    const piped = await miniodb(["import", "-", "-t", "events"], '{"id":"s1","user":"gus","n":30}\n');
    assert.equal(piped.code, 0, piped.stderr);
    const written = await miniodb(["write", "events", '{"user":"hal"}', "--id", "w1", "--set", "n=40"]);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /w1/);
  });

  it("queries in every format, paging through the cursor", async () => {
    const sql = "SELECT id, user, n FROM events ORDER BY id";
    const expected = [
      { id: "c1", user: "dee", n: 10 },
      { id: "c2", user: "007", n: 11 },
      { id: "j1", user: "eve", n: 20 },
      { id: "j2", user: "fay", n: 21 },
      { id: "n1", user: "ada", n: 1 },
      { id: "n2", user: "bob", n: 2 },
      { id: "n4", user: "cy", n: 4 },
      { id: "s1", user: "gus", n: 30 },
      { id: "w1", user: "hal", n: 40 },
    ];
    const [json, ndjson, csv, table] = await Promise.all([
      miniodb(["query", sql, "--format", "json", "--page-size", "2"]),
      miniodb(["query", sql, "-f", "ndjson", "--page-size", "4"]),
      miniodb(["query", sql, "-f", "csv"]),
      miniodb(["query", sql]),
    ]);
    for (const result of [json, ndjson, csv, table]) assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(json.stdout), expected);
    assert.deepEqual(
      ndjson.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
      expected,
    );
    assert.equal(
      csv.stdout,
      ["id,user,n", ...expected.map((row) => `${row.id},${row.user},${row.n}`)].join("\n") + "\n",
    );
    const lines = table.stdout.trim().split("\n");
    assert.match(lines[1]!, /│ id +│ user +│ n +│/);
    assert.match(lines[2]!, /│ c1 +│ dee +│ 10 +│/);
    assert.equal(lines.at(-1), "(9 rows)");
  });

  it("fails bad SQL with the server's code and message, exit 1", async () => {
    const result = await miniodb(["query", "SELEC id FROM events"]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^miniodb: invalid_argument: .*syntax error/m);
  });

  it("rejects bad command lines with exit 2 and changes nothing", async () => {
    const unknownFormat = await miniodb(["import", file("data.txt", "{}"), "-t", "events"]);
    assert.equal(unknownFormat.code, 2);
    assert.match(unknownFormat.stderr, /cannot tell the format of .*data\.txt/);
    const noColumns = await miniodb(["write", "events"]);
    assert.equal(noColumns.code, 2);
    assert.match(noColumns.stderr, /no columns/);
    const halfKey = await miniodb(["status", "--api-key", "k"]);
    assert.equal(halfKey.code, 2);
    assert.match(halfKey.stderr, /--api-key and --api-secret go together/);
    const count = await miniodb(["query", "SELECT count(*) AS c FROM events", "-f", "json"]);
    assert.deepEqual(JSON.parse(count.stdout), [{ c: 9 }]);
  });

  it("lists, describes and drops tables, and reports status", async () => {
    const created = await miniodb([
      "tables",
      "create",
      "scratch",
      "--buffer-size",
      "500",
      "--retention-days",
      "7",
    ]);
    assert.equal(created.code, 0, created.stderr);
    const list = await miniodb(["tables"]);
    assert.match(list.stdout, /│ events +│ active +│/);
    assert.match(list.stdout, /│ scratch +│/);
    const described = await miniodb(["tables", "describe", "scratch"]);
    const info = JSON.parse(described.stdout) as {
      name: string;
      config: { bufferSize: number; retentionDays: number };
    };
    assert.equal(info.name, "scratch");
    assert.equal(info.config.bufferSize, 500);
    assert.equal(info.config.retentionDays, 7);
    assert.equal((await miniodb(["tables", "drop", "scratch"])).code, 0);
    const missing = await miniodb(["tables", "describe", "scratch"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^miniodb: not_found: /m);
    const status = await miniodb(["status"]);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as {
      health: { status: string };
      status: { totalNodes: number };
    };
    assert.equal(report.health.status, "healthy");
  });

  it("fails with a clear message when no server answers", async () => {
    const result = await runMiniodb(["status", "--server", "http://127.0.0.1:9", "--timeout", "5000"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^miniodb: unavailable: /m);
  });
});
