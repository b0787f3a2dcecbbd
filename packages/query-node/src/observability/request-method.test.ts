import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requestMethod } from "./request-method.js";

describe("requestMethod", () => {
  it("names RPCs and REST routes as the original's method label does", () => {
    const cases: Array<[string, string, string]> = [
      ["POST", "/miniodb.v1.MinIODBService/WriteData", "write"],
      ["POST", "/miniodb.v1.MinIODBService/StreamQuery", "stream_query"],
      ["POST", "/miniodb.v1.MinIODBService/CreateTable", "create_table"],
      ["GET", "/miniodb.v1.MinIODBService/GetStatus?connect=v1", "get_status"],
      ["POST", "/miniodb.v1.MinIODBService/NoSuchThing", "other"],
      ["POST", "/miniodb.v1.AuthService/GetToken", "auth"],
      ["POST", "/v1/data", "write"],
      ["POST", "/v1/data/batch?table=t", "write"],
      ["PUT", "/v1/data", "update"],
      ["DELETE", "/v1/data", "delete"],
      ["POST", "/v1/query", "query"],
      ["GET", "/v1/tables/users", "get_table"],
      ["DELETE", "/v1/tables/users", "delete_table"],
      ["GET", "/v1/health/ready", "health"],
      ["GET", "/metrics", "prometheus"],
      ["GET", "/wp-login.php", "other"],
    ];
    for (const [verb, url, expected] of cases)
      assert.equal(requestMethod(verb, url), expected, `${verb} ${url}`);
  });
});
