import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

/** Tables, last-write times and schemas. */
export function describeTableContract(store: StoreRef): void {
  describe("tables", () => {
    it("returns a created table with every config field and createdAt to the millisecond", async () => {
      const entry = f.table("t_roundtrip");
      await store().createTable(entry);
      assert.deepEqual(await store().getTable("t_roundtrip"), entry);
      assert.equal(await store().getTable("t_never_created"), undefined);
    });

    it("refuses to create a table twice and keeps the first", async () => {
      const first = f.table("t_twice", f.at(10));
      await store().createTable(first);
      const second = { ...f.table("t_twice", f.at(20)), config: { ...f.config(), bufferSize: 9 } };
      await f.rejectsWith(store().createTable(second), "already_exists");
      assert.deepEqual(await store().getTable("t_twice"), first);
    });

    it("lists tables sorted by name", async () => {
      for (const name of ["lt_b", "lt_c", "lt_a", "lt_a_2"]) await store().createTable(f.table(name));
      const listed = (await store().listTables()).filter((table) => table.name.startsWith("lt_"));
      assert.deepEqual(
        listed.map((table) => table.name),
        ["lt_a", "lt_a_2", "lt_b", "lt_c"],
      );
      assert.deepEqual(listed[0], f.table("lt_a"));
    });

    it("records the time of the latest write", async () => {
      await store().createTable(f.table("t_touch"));
      assert.equal(await store().getLastWrite("t_touch"), undefined);
      await store().touchTable("t_touch", f.at(1_001));
      assert.deepEqual(await store().getLastWrite("t_touch"), f.at(1_001));
      await store().touchTable("t_touch", f.at(2_002));
      assert.deepEqual(await store().getLastWrite("t_touch"), f.at(2_002));
    });

    it("deletes a table with everything it owns and returns the manifest it had", async () => {
      await store().createTable(f.table("t_delete"));
      await store().putSchema("t_delete", { version: 1, columns: [{ name: "a", type: "BIGINT" }] });
      await store().commitManifest("t_delete", { add: [f.file("t_delete", 1), f.file("t_delete", 2)] });
      await store().addTombstones("t_delete", [{ id: "x", sequence: 5n, soft: true, createdAt: f.at() }]);
      await store().touchTable("t_delete", f.at(5));
      const manifest = await store().deleteTable("t_delete");
      assert.equal(manifest.table, "t_delete");
      assert.equal(manifest.version, 1);
      assert.deepEqual(f.byKey(manifest.files), f.byKey([f.file("t_delete", 1), f.file("t_delete", 2)]));
      assert.equal(await store().getTable("t_delete"), undefined);
      await store().createTable(f.table("t_delete"));
      assert.deepEqual(await store().getManifest("t_delete"), { table: "t_delete", version: 0, files: [] });
      assert.deepEqual(await store().getSchema("t_delete"), { version: 0, columns: [] });
      assert.deepEqual(await store().listSchemas("t_delete"), []);
      assert.deepEqual(await store().listTombstones("t_delete"), []);
      assert.equal(await store().getLastWrite("t_delete"), undefined);
    });

    it("reports deleting a missing table as not_found", async () => {
      await f.rejectsWith(store().deleteTable("t_never_created"), "not_found");
      await store().createTable(f.table("t_delete_twice"));
      await store().deleteTable("t_delete_twice");
      await f.rejectsWith(store().deleteTable("t_delete_twice"), "not_found");
    });
  });

  describe("schemas", () => {
    const v1 = { version: 1, columns: [{ name: "age", type: "BIGINT" as const }] };
    const v2 = { version: 2, columns: [...v1.columns, { name: "Name ✓", type: "VARCHAR" as const }] };

    it("starts at version 0 and keeps every version, oldest first", async () => {
      await store().createTable(f.table("s_versions"));
      assert.deepEqual(await store().getSchema("s_versions"), { version: 0, columns: [] });
      await store().putSchema("s_versions", v1);
      await store().putSchema("s_versions", v2);
      assert.deepEqual(await store().getSchema("s_versions"), v2);
      assert.deepEqual(await store().listSchemas("s_versions"), [v1, v2]);
    });

    it("aborts a put that is not the next version and changes nothing", async () => {
      await store().createTable(f.table("s_cas"));
      await f.rejectsWith(store().putSchema("s_cas", v2), "aborted");
      await store().putSchema("s_cas", v1);
      await f.rejectsWith(store().putSchema("s_cas", v1), "aborted");
      await f.rejectsWith(store().putSchema("s_cas", { ...v2, version: 3 }), "aborted");
      assert.deepEqual(await store().listSchemas("s_cas"), [v1]);
    });

    it("lets exactly one of concurrent puts of the same version win", async () => {
      await store().createTable(f.table("s_race"));
      const attempts = Array.from({ length: 6 }, (_, i) => ({
        version: 1,
        columns: [{ name: `c${i}`, type: "DOUBLE" as const }],
      }));
      const { values, errors } = f.settle(
        await Promise.allSettled(attempts.map((schema) => store().putSchema("s_race", schema))),
      );
      assert.equal(values.length, 1);
      for (const error of errors) assert.ok(MiniodbError.is(error, "aborted"), String(error));
      const stored = await store().listSchemas("s_race");
      assert.equal(stored.length, 1);
      assert.ok(attempts.some((schema) => JSON.stringify(schema) === JSON.stringify(stored[0])));
    });
  });
}
