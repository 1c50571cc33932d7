// A temporary folder tree for static-file tests:
//   <tmp>/outside/secret.txt          a marker that must never be served
//   <tmp>/root/                       the served root
//     index.html, hello.txt, data.json, style.css, app.js, image.png, blob.bin (no known type: octet-stream)
//     empty.txt (0 bytes), a b.txt (a space), weird <&>"'.txt (HTML-escaping)
//     .env, .hidden/x.txt             dot-files (refused by default)
//     sub/inner.txt                   a directory without an index
//     site/index.html                 a directory with one
//     big.bin                         a few MiB of known bytes
//     link-out.txt  → ../outside/secret.txt   symlinks pointing out
//     dir-out       → ../outside
//     link-in.txt   → hello.txt               a symlink that stays inside
//     trap/index.html → ../../outside/index.html  an index that points out
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface StaticFixture {
  dir: string;
  root: string;
  secret: string;
  big: Buffer;
  cleanup(): void;
}

export function makeStaticFixture(bigSize = 4 * 1024 * 1024): StaticFixture {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-static-'));
  const root = join(dir, 'root');
  const secret = `TOP-SECRET-${randomBytes(8).toString('hex')}`;
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside', 'secret.txt'), secret + '\n');
  writeFileSync(join(dir, 'outside', 'index.html'), secret + '\n');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>root index</title><p>root index</p>\n');
  writeFileSync(join(root, 'hello.txt'), 'Hello, Wireplay!\n');
  writeFileSync(join(root, 'data.json'), '{"ok":true}\n');
  writeFileSync(join(root, 'style.css'), 'body { color: red }\n');
  writeFileSync(join(root, 'app.js'), 'console.log(1)\n');
  writeFileSync(join(root, 'image.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  writeFileSync(join(root, 'blob.unknownext'), Buffer.from([0, 1, 2, 3]));
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'a b.txt'), 'space\n');
  writeFileSync(join(root, `weird <&>"'.txt`), 'weird\n');
  writeFileSync(join(root, '.env'), `SECRET=${secret}\n`);
  mkdirSync(join(root, '.hidden'));
  writeFileSync(join(root, '.hidden', 'x.txt'), secret + '\n');
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'sub', 'inner.txt'), 'inner\n');
  mkdirSync(join(root, 'site'));
  writeFileSync(join(root, 'site', 'index.html'), '<p>site index</p>\n');
  const big = Buffer.alloc(bigSize);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32BE(i, i);
  writeFileSync(join(root, 'big.bin'), big);
  symlinkSync(join('..', 'outside', 'secret.txt'), join(root, 'link-out.txt'));
  symlinkSync(join('..', 'outside'), join(root, 'dir-out'));
  symlinkSync('hello.txt', join(root, 'link-in.txt'));
  mkdirSync(join(root, 'trap'));
  symlinkSync(join('..', '..', 'outside', 'index.html'), join(root, 'trap', 'index.html'));
  return { dir, root, secret, big, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
