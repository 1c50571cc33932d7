// Sizes on the command line: a byte count with an optional binary unit
// (`65536`, `512KiB`, `128MiB`, `1GiB`; K, M, G and KB, MB, GB mean the same
// binary units). Throws a message naming the flag when the text is not one.
import { formatExactBytes } from '../util/byte-size.js';

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function parseByteSize(text: string, flag: string, min: number, max: number): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new Error(`${flag} must be a size such as 128MiB or 1GiB, got ${JSON.stringify(text)}`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  if (!(bytes >= min && bytes <= max)) throw new Error(`${flag} must be between ${formatExactBytes(min)} and ${formatExactBytes(max)}, got ${text}`);
  return bytes;
}
