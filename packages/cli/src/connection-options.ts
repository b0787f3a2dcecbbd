import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import { createMiniodbClient, type MiniodbClient, type MiniodbProtocol } from "@miniodb/client";

/** The flags every command that talks to a server shares (see `withConnectionOptions`). */
export interface ConnectionFlags {
  readonly server: string;
  readonly protocol: MiniodbProtocol;
  readonly apiKey?: string;
  readonly apiSecret?: string;
  readonly token?: string;
  readonly ca?: string;
  readonly timeout?: number;
}

export const DEFAULT_SERVER = "http://127.0.0.1:8080";

/** Adds the connection options, each with its environment variable, to `command`. */
export function withConnectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--server <url>", "the server's gRPC address (https:// for TLS)")
        .env("MINIODB_SERVER")
        .default(DEFAULT_SERVER),
    )
    .addOption(
      new Option("--protocol <protocol>", "wire protocol")
        .choices(["grpc", "connect", "grpc-web"])
        .env("MINIODB_PROTOCOL")
        .default("grpc"),
    )
    .addOption(new Option("--api-key <id>", "API key id, exchanged for a token").env("MINIODB_API_KEY"))
    .addOption(new Option("--api-secret <secret>", "API key secret").env("MINIODB_API_SECRET"))
    .addOption(
      new Option("--token <token>", "bearer token (instead of an API key pair)").env("MINIODB_TOKEN"),
    )
    .addOption(
      new Option("--ca <file>", "PEM file of the CA that signed the server's certificate").env(
        "MINIODB_CA_FILE",
      ),
    )
    .addOption(
      new Option("--timeout <ms>", "per-call timeout in milliseconds").argParser(parsePositiveInteger),
    );
}

/** A client for the flags; throws a usage error for a half-given key pair or both kinds of auth. */
export function connect(flags: ConnectionFlags): MiniodbClient {
  if (Boolean(flags.apiKey) !== Boolean(flags.apiSecret))
    throw new UsageError("--api-key and --api-secret go together");
  if (flags.apiKey && flags.token) throw new UsageError("give either --token or --api-key/--api-secret");
  return createMiniodbClient({
    baseUrl: flags.server,
    protocol: flags.protocol,
    ...(flags.apiKey ? { credentials: { apiKey: flags.apiKey, secret: flags.apiSecret! } } : {}),
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.ca ? { caCertificate: readFileSync(flags.ca) } : {}),
    ...(flags.timeout ? { timeoutMs: flags.timeout } : {}),
  });
}

/** A problem with the command line itself: reported without a stack trace, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("not a positive integer");
  return number;
}
