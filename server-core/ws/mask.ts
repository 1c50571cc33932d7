// XOR masking (RFC 6455 §5.3). Applying it twice restores the input, so one
// function masks and unmasks. Long runs go four bytes at a time through a
// Uint32Array view over the aligned middle of the buffer. (A WebAssembly SIMD
// loop XORs 4× faster, but copying into and out of its memory cost more than
// it saved on a loaded machine: the loop here is bound by memory bandwidth.)

const keyBytes = new Uint8Array(4);
const keyWord = new Uint32Array(keyBytes.buffer);

/**
 * XORs buf[start, end) in place with key, where buf[start] is payload byte
 * number `phase` (only phase & 3 matters).
 */
export function maskInPlace(buf: Uint8Array, start: number, end: number, key: Uint8Array, phase = 0): void {
  let i = start;
  let p = phase & 3;
  if (end - start < 32) {
    for (; i < end; i++, p = (p + 1) & 3) buf[i] ^= key[p];
    return;
  }
  // Bytes until the absolute address is 4-aligned.
  while (((buf.byteOffset + i) & 3) !== 0) {
    buf[i++] ^= key[p];
    p = (p + 1) & 3;
  }
  const words = (end - i) >>> 2;
  keyBytes[0] = key[p];
  keyBytes[1] = key[(p + 1) & 3];
  keyBytes[2] = key[(p + 2) & 3];
  keyBytes[3] = key[(p + 3) & 3];
  const k = keyWord[0];
  const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
  // Unrolled: about twice the speed of the plain loop in V8.
  let w = 0;
  for (; w + 8 <= words; w += 8) {
    view[w] ^= k;
    view[w + 1] ^= k;
    view[w + 2] ^= k;
    view[w + 3] ^= k;
    view[w + 4] ^= k;
    view[w + 5] ^= k;
    view[w + 6] ^= k;
    view[w + 7] ^= k;
  }
  for (; w < words; w++) view[w] ^= k;
  i += words << 2;
  // Four bytes per word: the phase is unchanged after the word loop.
  for (; i < end; i++, p = (p + 1) & 3) buf[i] ^= key[p];
}

/** Copies src[srcStart, srcEnd) into dst at dstStart, masked with key starting at phase. */
export function maskCopy(
  src: Uint8Array,
  srcStart: number,
  srcEnd: number,
  dst: Buffer,
  dstStart: number,
  key: Uint8Array,
  phase = 0,
): void {
  const n = srcEnd - srcStart;
  if (n < 32) {
    let p = phase & 3;
    for (let j = 0; j < n; j++, p = (p + 1) & 3) dst[dstStart + j] = src[srcStart + j] ^ key[p];
    return;
  }
  dst.set(src.subarray(srcStart, srcEnd), dstStart);
  maskInPlace(dst, dstStart, dstStart + n, key, phase);
}

