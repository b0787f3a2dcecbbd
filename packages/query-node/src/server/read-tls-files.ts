import { readFile } from "node:fs/promises";
import { MiniodbError } from "@miniodb/core";
import type { TlsConfig } from "../auth/auth-config.js";

/** PEM certificate chain and private key, as read from `tls.cert_file` and `tls.key_file`. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Reads the TLS files when configured; failed_precondition when one cannot be read. */
export async function readTlsFiles(tls: TlsConfig): Promise<TlsFiles | undefined> {
  if (!tls.cert_file || !tls.key_file) return undefined;
  const read = async (path: string) => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new MiniodbError("failed_precondition", `cannot read TLS file ${path}`, { cause: error });
    }
  };
  return { cert: await read(tls.cert_file), key: await read(tls.key_file) };
}
