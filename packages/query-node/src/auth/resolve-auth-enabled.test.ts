import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { authSchema } from "./auth-config.js";
import { isLoopbackHost, resolveAuthMode } from "./resolve-auth-enabled.js";

describe("resolveAuthMode", () => {
  const auth = (input: object) => authSchema.parse(input);

  it("knows loopback hosts", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1"])
      assert.equal(isLoopbackHost(host), false, host);
  });

  it("turns auth on beyond the loopback unless told otherwise", () => {
    assert.deepEqual(resolveAuthMode("127.0.0.1", auth({})), { enabled: false });
    assert.deepEqual(resolveAuthMode("0.0.0.0", auth({})), { enabled: true });
    assert.deepEqual(resolveAuthMode("127.0.0.1", auth({ enabled: true })), { enabled: true });
  });

  it("refuses a remote bind with auth off unless insecure_allow_remote, and then warns", () => {
    assert.throws(
      () => resolveAuthMode("0.0.0.0", auth({ enabled: false })),
      (error: unknown) => MiniodbError.is(error, "failed_precondition"),
    );
    const mode = resolveAuthMode("0.0.0.0", auth({ enabled: false, insecure_allow_remote: true }));
    assert.equal(mode.enabled, false);
    assert.match(mode.warning ?? "", /OFF/);
  });
});
