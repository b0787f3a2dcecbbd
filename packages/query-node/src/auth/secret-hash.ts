import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * API secrets are stored as `scrypt$<N>$<r>$<p>$<salt>$<hash>` (salt and hash base64url): a salted
 * scrypt hash with its cost parameters, so a stolen configuration file does not give the secrets
 * away, and the cost can be raised later without invalidating older hashes.
 */
export const SECRET_HASH_PATTERN =
  /^scrypt\$\d{1,7}\$\d{1,3}\$\d{1,3}\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,}$/;

/** Cost of new hashes: 32 MiB and about 0.1 s per check on one core. */
const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;

function derive(secret: string, salt: Buffer, cost: ScryptOptions, length: number): Promise<Buffer> {
  const maxmem = 256 * cost.N! * cost.r! + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize("NFC"), salt, length, { ...cost, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** Hashes a secret with a fresh random salt. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, DEFAULT_COST, KEY_BYTES);
  const { N, r, p } = DEFAULT_COST;
  return ["scrypt", N, r, p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** Whether `secret` matches `stored` (a `hashSecret` result), compared in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (!SECRET_HASH_PATTERN.test(stored)) return false;
  const [, n, r, p, salt, hash] = stored.split("$");
  const expected = Buffer.from(hash!, "base64url");
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  try {
    const actual = await derive(secret, Buffer.from(salt!, "base64url"), cost, expected.length);
    return timingSafeEqual(actual, expected);
  } catch {
    return false; // cost parameters scrypt refuses
  }
}

/** A new random API secret: 32 bytes, base64url. */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}
