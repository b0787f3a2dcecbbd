import { z } from "zod";

const port = z.number().int().min(0).max(65_535);

/**
 * Every configuration key of a MinIODB node, with its default. The same keys are read from the
 * YAML file, from `MINIODB_<BLOCK>__<KEY>` environment variables and from command-line flags, in
 * that order of increasing precedence. See docs/configuration.md.
 */
export const configSchema = z
  .object({
    node: z
      .object({
        /** Stable identity of this node in the cluster; defaults to the host name. */
        id: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "letters, digits, '_', '.', '-'; at most 63")
          .optional(),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        /** Interface both ports bind to. */
        host: z.string().min(1).default("127.0.0.1"),
        /** Port of the original gRPC API; serves every protocol. 0 picks a free port. */
        grpc_port: port.default(8080),
        /** Port of the original REST API; serves every protocol. 0 picks a free port. */
        rest_port: port.default(8081),
        /** How long shutdown waits for in-flight requests before closing connections. */
        shutdown_grace_seconds: z.number().min(0).max(3_600).default(10),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        /** Minimum level written to stdout as JSON lines. */
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
