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
    for (const inventory of inventories) {
      for (const playbook of ["site.yml", "rolling-restart.yml"]) {
        const result = await runAnsible("ansible-playbook", [
          "-i",
          `inventory/${inventory}`,
          playbook,
          "--syntax-check",
        ]);
        assert.equal(result.code, 0, `${inventory} ${playbook}: ${result.output}`);
      }
    }
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
