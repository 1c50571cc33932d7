// The anchor of bench/as-users-run.bench.ts: node:http serving the same bytes as
// Wireplay (a small text GET and /files/big.bin), with `ws` + bufferutil on the
// same port for the WebSocket rows. It is plain JavaScript started with plain
// `node`, as users run node:http and ws: under the tsx loader the anchor's
// start-up compiled a few MB of TypeScript first, and the idle connections then
// landed on heap pages that were already resident, which made its RSS per idle
// connection look about half of what a plain `node server.mjs` shows. Wireplay's
// own side (dist/cli.js) runs without a loader too.
//
//   node [--expose-gc --require mem-probe.cjs] anchor-server.mjs ROOT BODY
// Prints `PORT <n>` once listening on 127.0.0.1.
import { createServer } from 'node:http';
import { createReadStream, stat } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';

const [root, smallBody] = process.argv.slice(2);
const file = join(root, 'big.bin');
const server = createServer((req, res) => {
  if (req.url === '/small') {
    res.setHeader('Content-Type', 'text/plain');
    res.end(smallBody);
  } else if (req.url === '/files/big.bin') {
    // Like any static server (and Wireplay's): stat per request, then stream.
    stat(file, (err, st) => {
      if (err) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', st.size);
      res.setHeader('Last-Modified', st.mtime.toUTCString());
      createReadStream(file).pipe(res);
    });
  } else {
    res.statusCode = 404;
    res.end();
  }
});
const wss = new WebSocketServer({ server, path: '/ws/echo', perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`PORT ${typeof a === 'object' && a ? a.port : 0}\n`);
});
