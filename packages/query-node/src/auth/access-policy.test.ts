import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { OPERATIONS, policyOf, restOperation, roleAllows, rpcOperation, UNLISTED } from "./access-policy.js";

describe("access policy", () => {
  it("lists every RPC of the public API", () => {
    for (const service of [MinIODBService, AuthService]) {
      for (const method of service.methods) assert.ok(rpcOperation(method.name), method.name);
    }
  });

  it("orders the roles reader < writer < admin", () => {
    assert.equal(roleAllows("reader", "public"), true);
    assert.equal(roleAllows("reader", "reader"), true);
    assert.equal(roleAllows("reader", "writer"), false);
    assert.equal(roleAllows("writer", "writer"), true);
    assert.equal(roleAllows("writer", "admin"), false);
    assert.equal(roleAllows("admin", "admin"), true);
  });

  it("maps REST routes to operations, with parameters and HEAD", () => {
    assert.equal(restOperation("GET", "/v1/tables/users"), "GetTable");
    assert.equal(restOperation("DELETE", "/v1/tables/users"), "DeleteTable");
    assert.equal(restOperation("GET", "/v1/tables"), "ListTables");
    assert.equal(restOperation("HEAD", "/v1/health"), "HealthCheck");
    assert.equal(restOperation("GET", "/v1/health/ready"), "HealthCheck");
    assert.equal(restOperation("post", "/v1/data/batch"), "StreamWrite");
    assert.equal(restOperation("DELETE", "/v1/auth/token"), "RevokeToken");
  });

  it("denies everything unlisted to all but admins", () => {
    for (const [method, path] of [
      ["GET", "/v1/tables/users/extra"],
      ["POST", "/v1/some-future-route"],
      ["GET", "/v1/healthz"],
      ["PUT", "/v1/tables/users"],
      ["GET", "/"],
    ] as const) {
      const operation = restOperation(method, path);
      assert.equal(operation, undefined, `${method} ${path}`);
      assert.deepEqual(policyOf(operation), UNLISTED);
    }
    assert.equal(rpcOperation("SomeFutureRpc"), undefined);
    assert.equal(rpcOperation("toString"), undefined);
    assert.equal(UNLISTED.access, "admin");
  });

  it("keeps health and token issue public and writes audited", () => {
    assert.equal(OPERATIONS.HealthCheck.access, "public");
    assert.equal(OPERATIONS.GetToken.access, "public");
    assert.equal(OPERATIONS.WriteData.audit, true);
    assert.equal(OPERATIONS.DeleteTable.access, "admin");
  });
});
