import { isIP } from "node:net";
import { MiniodbError } from "@miniodb/core";
import type { AuthConfig } from "./auth-config.js";

/** Whether `host` binds only the loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1" || bare.startsWith("::ffff:127.");
  return false;
}

export interface AuthMode {
  readonly enabled: boolean;
  /** Set when the server runs open beyond the loopback interface on purpose: log it as a warning. */
  readonly warning?: string;
}

/**
 * The safe default: tokens are required whenever the server binds beyond the loopback interface.
 * `auth.enabled: false` with a non-loopback host is refused (failed_precondition) unless
 * `auth.insecure_allow_remote` (or `--insecure-allow-remote`) says so, which is then warned about.
 */
export function resolveAuthMode(host: string, auth: AuthConfig): AuthMode {
  const loopback = isLoopbackHost(host);
  if (auth.enabled === undefined) return { enabled: !loopback };
  if (auth.enabled || loopback) return { enabled: auth.enabled };
  if (!auth.insecure_allow_remote) {
    throw new MiniodbError(
      "failed_precondition",
      `refusing to serve ${host} without authentication: enable auth, bind 127.0.0.1, or pass --insecure-allow-remote`,
    );
  }
  return {
    enabled: false,
    warning: `authentication is OFF while serving ${host}: anyone who can reach it has full access`,
  };
}
