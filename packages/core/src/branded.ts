/** Types that must not be mixed up with plain strings and numbers of another meaning. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A validated table name. Obtain one with `parseTableName`. */
export type TableName = Brand<string, "TableName">;
/** A node's stable identity in the cluster. */
export type NodeId = Brand<string, "NodeId">;
/** One of the fixed number of shards records are hashed into. */
export type ShardId = Brand<number, "ShardId">;
