import { z } from "zod";
import { SECRET_HASH_PATTERN } from "./secret-hash.js";

/** The three roles, from least to most privileged: each can do what the ones before it can. */
export const ROLES = ["reader", "writer", "admin"] as const;
export type Role = (typeof ROLES)[number];

const tableName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, "a table name");

const apiKeySchema = z
  .object({
    /** The public half of the pair, sent as `api_key`. */
    id: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, "3-64 letters, digits, '_', '.', '-'"),
    /** `miniodb hash-secret` output for the secret half; the secret itself is never stored. */
    secret_hash: z.string().regex(SECRET_HASH_PATTERN, "the output of `miniodb hash-secret`"),
    role: z.enum(ROLES),
    /** When set, the key may only touch these tables (writes, SQL, table routes). */
    tables: z.array(tableName).min(1).optional(),
  })
  .strict();

export type ApiKeyConfig = z.output<typeof apiKeySchema>;

/**
 * The `auth` configuration block. Authentication is on whenever the server binds beyond the
 * loopback interface unless `enabled: false` is paired with `insecure_allow_remote: true`.
 * See docs/security.md.
 */
export const authSchema = z
  .object({
    /** Require tokens. Unset: on when `server.host` is not a loopback address, off otherwise. */
    enabled: z.boolean().optional(),
    /** Allow a non-loopback bind with auth off (logged as a warning). */
    insecure_allow_remote: z.boolean().default(false),
    api_keys: z.array(apiKeySchema).default([]),
    jwt: z
      .object({
        /** HS256 signing secret, at least 32 characters. Or use the key pair files. */
        secret: z.string().min(32, "at least 32 characters").optional(),
        /** PEM PKCS#8 private key: this node issues tokens signed with it. */
        private_key_file: z.string().min(1).optional(),
        /** PEM SPKI public key: this node verifies tokens with it. */
        public_key_file: z.string().min(1).optional(),
        /** Signature algorithm of the key pair. */
        algorithm: z.enum(["RS256", "ES256", "EdDSA"]).default("ES256"),
        issuer: z.string().min(1).default("miniodb"),
        audience: z.string().min(1).default("miniodb"),
        access_ttl_seconds: z.number().int().min(10).max(86_400).default(900),
        refresh_ttl_seconds: z
          .number()
          .int()
          .min(60)
          .max(365 * 86_400)
          .default(7 * 86_400),
      })
      .strict()
      .prefault({}),
    rate_limit: z
      .object({
        /** Requests per second each key may sustain; 0 turns rate limiting off. */
        requests_per_second: z.number().min(0).default(0),
        /** Requests a key may make at once after being idle (the bucket size). */
        burst: z.number().int().min(1).default(100),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        /** Log writes, updates, deletes, table and backup operations with key id and outcome. */
        enabled: z.boolean().default(true),
        /** Append audit lines (JSON) to this file instead of the main log on stdout. */
        file: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((auth, context) => {
    const ids = new Set<string>();
    auth.api_keys.forEach((key, index) => {
      if (ids.has(key.id)) {
        context.addIssue({
          code: "custom",
          path: ["api_keys", index, "id"],
          message: `duplicate key id ${key.id}`,
        });
      }
      ids.add(key.id);
    });
    if (auth.jwt.secret && (auth.jwt.private_key_file || auth.jwt.public_key_file)) {
      context.addIssue({
        code: "custom",
        path: ["jwt"],
        message: "set either secret or the key pair files, not both",
      });
    }
  })
  .prefault({});

export type AuthConfig = z.output<typeof authSchema>;

/** TLS for both ports; both files or neither. */
export const tlsSchema = z
  .object({
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (tls) => Boolean(tls.cert_file) === Boolean(tls.key_file),
    "set both cert_file and key_file, or neither",
  )
  .prefault({});

export type TlsConfig = z.output<typeof tlsSchema>;
