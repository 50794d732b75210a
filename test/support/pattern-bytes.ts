// Deterministic, non-repeating test bodies of any size, produced 64 KiB at a time so that hundreds of MiB
// cost only memcpy: block k is a fixed pseudo-random block with k written into its first 8 bytes, so a
// lost, duplicated or reordered block changes the SHA-256.
import { createHash } from 'node:crypto';

export const PATTERN_BLOCK = 64 * 1024;

const base = (() => {
  const b = Buffer.allocUnsafe(PATTERN_BLOCK);
  let x = 0x9e3779b9;
  for (let i = 0; i < b.length; i++) {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
})();

/** Block `k` of the pattern (a fresh buffer each call). */
export function patternBlock(k: number): Buffer {
  const b = Buffer.from(base);
  b.writeBigUInt64BE(BigInt(k), 0);
  return b;
}

/** Calls `sink` with the first `n` pattern bytes, block by block. */
export function forEachPatternPiece(n: number, sink: (piece: Buffer) => void): void {
  for (let k = 0, off = 0; off < n; k++, off += PATTERN_BLOCK) {
    const block = patternBlock(k);
    sink(n - off >= PATTERN_BLOCK ? block : block.subarray(0, n - off));
  }
}

/** The first `n` pattern bytes in one buffer (for sizes a test can hold). */
export function patternBytes(n: number): Buffer {
  const parts: Buffer[] = [];
  forEachPatternPiece(n, (p) => parts.push(p));
  return Buffer.concat(parts, n);
}

export function patternSha256(n: number): string {
  const h = createHash('sha256');
  forEachPatternPiece(n, (p) => h.update(p));
  return h.digest('hex');
}
