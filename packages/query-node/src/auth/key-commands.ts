import { randomBytes } from "node:crypto";
import { text } from "node:stream/consumers";
import type { Command } from "commander";
import { stringify } from "yaml";
import { ROLES } from "./auth-config.js";
import { generateSecret, hashSecret } from "./secret-hash.js";

/**
 * `miniodb hash-secret [secret]` prints the stored form of a secret (read from stdin when not
 * given, so it stays out of the shell history). `miniodb create-key --role <role>` makes a new key
 * pair and prints the secret once, with the `auth.api_keys` entry to paste into the configuration.
 */
export function addKeyCommands(program: Command): void {
  program
    .command("hash-secret")
    .description("print the salted hash of an API secret, for auth.api_keys[].secret_hash")
    .argument("[secret]", "the secret; read from stdin when omitted")
    .action(async (secret: string | undefined) => {
      const value = secret ?? (await text(process.stdin)).replace(/\r?\n$/, "");
      if (value.length === 0) throw new Error("the secret is empty");
      process.stdout.write(`${await hashSecret(value)}\n`);
    });
  program
    .command("create-key")
    .description("create an API key pair; prints the secret once and the configuration entry")
    .option("--role <role>", `one of ${ROLES.join(", ")}`, "reader")
    .option("--id <id>", "key id (default: random)")
    .option("--tables <names>", "comma-separated table allow-list")
    .action(async (options: { role: string; id?: string; tables?: string }) => {
      if (!(ROLES as readonly string[]).includes(options.role))
        throw new Error(`--role must be one of ${ROLES.join(", ")}`);
      const id = options.id ?? `key_${randomBytes(6).toString("hex")}`;
      const secret = generateSecret();
      const entry: Record<string, unknown> = {
        id,
        secret_hash: await hashSecret(secret),
        role: options.role,
      };
      if (options.tables) entry["tables"] = options.tables.split(",").map((name) => name.trim());
      process.stdout.write(
        `api_key: ${id}\napi_secret: ${secret}\n\n# auth.api_keys entry:\n${stringify([entry])}`,
      );
    });
}
