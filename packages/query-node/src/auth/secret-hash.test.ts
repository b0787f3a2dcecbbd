import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSecret, hashSecret, SECRET_HASH_PATTERN, verifySecret } from "./secret-hash.js";

describe("secret hashes", () => {
  it("verifies the secret it hashed and nothing else", async () => {
    const secret = generateSecret();
    const hash = await hashSecret(secret);
    assert.match(hash, SECRET_HASH_PATTERN);
    assert.ok(!hash.includes(secret));
    assert.equal(await verifySecret(secret, hash), true);
    assert.equal(await verifySecret(`${secret}x`, hash), false);
    assert.equal(await verifySecret("", hash), false);
  });

  it("salts every hash", async () => {
    assert.notEqual(await hashSecret("same"), await hashSecret("same"));
  });

  it("refuses malformed or tampered hashes without throwing", async () => {
    const hash = await hashSecret("s3cret");
    assert.equal(await verifySecret("s3cret", "plain-text"), false);
    assert.equal(await verifySecret("s3cret", hash.replace("scrypt$32768", "scrypt$3")), false);
    assert.equal(await verifySecret("s3cret", hash.replace("scrypt$32768", "scrypt$9999999")), false);
    const parts = hash.split("$");
    parts[5] = Buffer.alloc(32).toString("base64url");
    assert.equal(await verifySecret("s3cret", parts.join("$")), false);
  });
});
