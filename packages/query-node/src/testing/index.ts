export {
  BUILT_ENTRY,
  SOURCE_ENTRY,
  spawnServe,
  type ServeOptions,
  type ServeProcess,
} from "./spawn-serve.js";
