import { readFileSync } from "node:fs";

/** This package's version, reported by HealthCheck and the CLI. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
