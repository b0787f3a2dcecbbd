export type { ConnectionFlags } from "./connection-options.js";
export { connect, DEFAULT_SERVER, withConnectionOptions } from "./connection-options.js";
export { addDataCommands } from "./data-commands.js";
