const BLOCK = 1_000_000_000;
const BLOCK_BIG = BigInt(BLOCK);

/**
 * The decimal strings of the `count` consecutive sequences from `first`, as `BigInt` would write
 * them, with one BigInt division per write instead of a BigInt add and a BigInt `toString` per
 * row: sequences are `high · 10⁹ + low`, and only `low` changes from row to row.
 */
export function sequenceDecimals(first: bigint, count: number): string[] {
  const decimals = new Array<string>(count);
  let high = first / BLOCK_BIG;
  let low = Number(first % BLOCK_BIG);
  let prefix = high === 0n ? "" : high.toString();
  for (let i = 0; i < count; i++) {
    decimals[i] = prefix === "" ? String(low) : prefix + String(low).padStart(9, "0");
    if (++low === BLOCK) {
      high += 1n;
      prefix = high.toString();
      low = 0;
    }
  }
  return decimals;
}
