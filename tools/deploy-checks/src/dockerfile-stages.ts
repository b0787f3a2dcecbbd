import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DOCKER_DIR } from "./compose-project.js";

export interface DockerfileStage {
  readonly name: string | undefined;
  /** Instructions of the stage, continuation lines joined, e.g. `["USER", "miniodb:miniodb"]`. */
  readonly instructions: ReadonlyArray<readonly [string, string]>;
}

/** The build stages of deploy/docker/Dockerfile with their instructions (comments dropped). */
export function dockerfileStages(path = join(DOCKER_DIR, "Dockerfile")): DockerfileStage[] {
  const joined = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  const stages: Array<{ name: string | undefined; instructions: Array<[string, string]> }> = [];
  for (const line of joined.split("\n")) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, instruction, rest] = match as unknown as [string, string, string];
    if (instruction === "FROM") stages.push({ name: /\sAS\s+(\S+)/i.exec(rest)?.[1], instructions: [] });
    stages.at(-1)?.instructions.push([instruction, rest.trim()]);
  }
  return stages;
}

/** The value of the last `instruction` of a stage. */
export function lastInstruction(stage: DockerfileStage, instruction: string): string | undefined {
  return stage.instructions.filter(([name]) => name === instruction).at(-1)?.[1];
}
