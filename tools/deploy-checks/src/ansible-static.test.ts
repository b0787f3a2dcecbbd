import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ANSIBLE_DIR, ansibleTestSkip, runAnsible } from "./ansible-run.js";

const skip = ansibleTestSkip();
const inventories = readdirSync(join(ANSIBLE_DIR, "inventory")).filter((file) => file.endsWith(".yml"));

describe("deploy/ansible", { skip }, () => {
  it("has the single-node, multi-node and existing-services inventories", () => {
    assert.deepEqual(inventories.sort(), ["auto-deploy.yml", "existing-services.yml", "single-node.yml"]);
  });

  it("passes ansible-playbook --syntax-check with every inventory", async () => {
    const each = inventories.flatMap((inventory) => ["-i", `inventory/${inventory}`]);
    const result = await runAnsible("ansible-playbook", [
      ...each,
      "site.yml",
      "rolling-restart.yml",
      "--syntax-check",
    ]);
    assert.equal(result.code, 0, result.output);
  });

  it("fails the syntax check of a broken inventory (control case)", async () => {
    const result = await runAnsible("ansible-playbook", ["-i", "site.yml", "site.yml", "--syntax-check"]);
    assert.notEqual(result.code, 0, result.output);
  });

  it("passes ansible-lint (production profile)", async () => {
    const result = await runAnsible("ansible-lint", [
      "--profile",
      "production",
      "site.yml",
      "rolling-restart.yml",
    ]);
    assert.equal(result.code, 0, result.output);
  });
});
