// Draws media/icon.png (128×128 RGBA) and media/sidebar.svg: Wireplay's picture,
// a client and a server as two lifelines with messages crossing between them
// (the playground's timeline). Pure Node: shapes as distance functions,
// 4×4 supersampling, PNG written with node:zlib. Both files are committed;
// run `node scripts/make-icon.mjs` again after changing the drawing.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 128;
const SS = 4;

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BG_TOP = hex('#1b2b44');
const BG_BOTTOM = hex('#0d1524');
const LANE = hex('#c9d4e5');
const C2S = hex('#3ec7b5');
const S2C = hex('#f39c4a');

function roundedRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const cy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return Math.hypot(cx, cy) - r; // < 0 inside
}

function segment(x, y, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

function inTriangle(x, y, [ax, ay], [bx, by], [cx, cy]) {
  const s = (px, py, qx, qy, rx, ry) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry);
  const d1 = s(x, y, ax, ay, bx, by);
  const d2 = s(x, y, bx, by, cx, cy);
  const d3 = s(x, y, cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** An arrow from (ax, ay) to (bx, by): a shaft and a head. */
function arrow(ax, ay, bx, by, width) {
  const len = Math.hypot(bx - ax, by - ay);
  const ux = (bx - ax) / len;
  const uy = (by - ay) / len;
  const head = 15;
  const baseX = bx - ux * head;
  const baseY = by - uy * head;
  const px = -uy * 9;
  const py = ux * 9;
  const tri = [[bx, by], [baseX + px, baseY + py], [baseX - px, baseY - py]];
  return (x, y) => segment(x, y, ax, ay, baseX + ux * 2, baseY + uy * 2) <= width / 2 || inTriangle(x, y, ...tri);
}

const L = 34;
const R = 94;
const shapes = [
  { color: LANE, hit: (x, y) => segment(x, y, L, 24, L, 104) <= 4 },
  { color: LANE, hit: (x, y) => segment(x, y, R, 24, R, 104) <= 4 },
  { color: C2S, hit: arrow(L + 4, 34, R - 4, 54, 7) },
  { color: S2C, hit: arrow(R - 4, 62, L + 4, 82, 7) },
  { color: C2S, hit: arrow(L + 4, 84, R - 4, 96, 7) },
];

function pixel(px, py) {
  let r = 0;
  let g = 0;
  let b = 0;
  let a = 0;
  for (let sy = 0; sy < SS; sy++) {
    for (let sx = 0; sx < SS; sx++) {
      const x = px + (sx + 0.5) / SS;
      const y = py + (sy + 0.5) / SS;
      if (roundedRect(x, y, 2, 2, SIZE - 2, SIZE - 2, 24) > 0) continue;
      const k = y / SIZE;
      let c = BG_TOP.map((v, i) => v * (1 - k) + BG_BOTTOM[i] * k);
      for (const s of shapes) if (s.hit(x, y)) c = s.color;
      r += c[0];
      g += c[1];
      b += c[2];
      a += 1;
    }
  }
  if (a === 0) return [0, 0, 0, 0];
  return [Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((255 * a) / (SS * SS))];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const raw = Buffer.alloc((SIZE * 4 + 1) * SIZE);
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const p = pixel(x, y);
    for (let i = 0; i < 4; i++) raw[y * (SIZE * 4 + 1) + 1 + x * 4 + i] = p[i];
  }
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync(join(root, 'media'), { recursive: true });
writeFileSync(join(root, 'media/icon.png'), png);

// The activity-bar icon: monochrome (VS Code tints it), 24×24.
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">
  <path d="M5 3v18M19 3v18"/>
  <path d="M6.5 6.5 17 9.5M14.5 7.6 17 9.5 14 10.6"/>
  <path d="M17.5 13 7 16M9.5 14.6 7 16 10 17"/>
</svg>
`;
writeFileSync(join(root, 'media/sidebar.svg'), svg);
console.log(`media/icon.png: ${png.length} bytes; media/sidebar.svg written`);
