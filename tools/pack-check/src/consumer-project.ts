import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runNpm } from "./run-npm.js";

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CONSUMER_SOURCE = fileURLToPath(new URL("../consumer/main.ts", import.meta.url));

/** A fresh npm project outside the repository with the given tarballs installed. */
export class ConsumerProject {
  private constructor(readonly dir: string) {}

  /**
   * Creates the project and `npm install`s the tarballs; third-party dependencies come from the
   * local npm cache when it has them (`--prefer-offline`), else from the registry.
   */
  static async create(tarballs: readonly string[]): Promise<ConsumerProject> {
    const dir = mkdtempSync(join(tmpdir(), "miniodb-consumer-"));
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "miniodb-consumer", version: "1.0.0", private: true, type: "module" }, null, 2),
    );
    await runNpm(["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs], dir, 180_000);
    return new ConsumerProject(dir);
  }

  /** Compiles consumer/main.ts with tsc against the installed packages' declaration files. */
  async compile(): Promise<void> {
    copyFileSync(CONSUMER_SOURCE, join(this.dir, "main.ts"));
    writeFileSync(
      join(this.dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
          outDir: "out",
        },
        files: ["main.ts"],
      }),
    );
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    try {
      await execFileAsync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: this.dir });
    } catch (error) {
      const failure = error as { stdout?: string; message: string };
      throw new Error(
        `the consumer does not compile against the packages: ${failure.stdout || failure.message}`,
      );
    }
  }

  /** Runs the compiled consumer with `args` and parses the JSON line it prints. */
  async run(args: readonly string[]): Promise<Record<string, unknown>> {
    const { stdout } = await execFileAsync(process.execPath, [join(this.dir, "out/main.js"), ...args], {
      cwd: this.dir,
      timeout: 60_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
