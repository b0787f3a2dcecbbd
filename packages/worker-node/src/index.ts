export type { DecodedWal, WalTail } from "./wal/wal-frame.js";
export {
  decodeWalSegment,
  encodeWalFrame,
  FRAME_HEADER_BYTES,
  MAX_FRAME_PAYLOAD_BYTES,
  WAL_MAGIC,
} from "./wal/wal-frame.js";
export type { WalEntry, WriteAheadLogOptions, WriteAheadLogStats } from "./wal/write-ahead-log.js";
export { DEFAULT_SEGMENT_BYTES, WriteAheadLog } from "./wal/write-ahead-log.js";
