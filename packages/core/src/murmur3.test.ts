import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import reference from "murmurhash";
import { murmur3, PrefixedMurmur3 } from "./murmur3.js";

describe("murmur3", () => {
  it("matches the published MurmurHash3 x86_32 test vectors", () => {
    assert.equal(murmur3(""), 0);
    assert.equal(murmur3("", 1), 0x514e28b7);
    assert.equal(murmur3("", 0xffffffff), 0x81f16f39);
    assert.equal(murmur3("Hello, world!", 1234), 0xfaf6cdb3);
    assert.equal(murmur3("The quick brown fox jumps over the lazy dog"), 0x2e4ff723);
  });

  it("equals an independent implementation on arbitrary Unicode strings and seeds", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), fc.nat(), (key, seed) => {
        assert.equal(murmur3(key, seed), reference.v3(key, seed));
      }),
      { numRuns: 2000 },
    );
  });

  it("handles keys longer than its scratch buffer", () => {
    const key = "é".repeat(5000);
    assert.equal(murmur3(key, 7), reference.v3(key, 7));
  });

  it("hashes a prefix and a suffix as murmur3 hashes them joined, whatever their lengths", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.array(fc.string({ unit: "grapheme", maxLength: 60 }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        (prefix, suffixes, seed) => {
          const hasher = new PrefixedMurmur3(prefix, seed);
          for (const suffix of suffixes) assert.equal(hasher.hash(suffix), murmur3(prefix + suffix, seed));
        },
      ),
      { numRuns: 2000 },
    );
    const long = new PrefixedMurmur3("table\u0000");
    assert.equal(long.hash("é".repeat(5000)), murmur3(`table\u0000${"é".repeat(5000)}`));
  });

  it("hashes a prefix and a suffix as joined also when they split a surrogate pair", () => {
    // "a\u{1F600}b" split inside its emoji: joined, the pair is one 4-byte code point.
    const split = new PrefixedMurmur3("a\ud83d");
    assert.equal(split.hash("\ude00b"), murmur3("a\u{1F600}b"));
    assert.equal(split.hash("b"), murmur3("a\ud83db"), "a lone high surrogate stays U+FFFD");
    assert.equal(split.hash(""), murmur3("a\ud83d"));
    // Any code units, lone surrogates of both kinds among them, and prefixes of any length.
    const unit = fc.oneof(
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
    );
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 12 }),
        fc.array(fc.string({ unit, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        (prefix, suffixes, seed) => {
          const hasher = new PrefixedMurmur3(prefix, seed);
          for (const suffix of suffixes) assert.equal(hasher.hash(suffix), murmur3(prefix + suffix, seed));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
