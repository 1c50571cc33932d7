import { HttpMessageParser as A } from '../server-core/http/message-parser.js';
import { HttpMessageParser as B } from './zz-variant/message-parser.js';
const H = ['Host: localhost:8080','Connection: keep-alive','sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"','sec-ch-ua-mobile: ?0','sec-ch-ua-platform: "Linux"','Upgrade-Insecure-Requests: 1','User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36','Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8','Sec-Fetch-Site: none','Sec-Fetch-Mode: navigate','Sec-Fetch-User: ?1','Sec-Fetch-Dest: document','Accept-Encoding: gzip, deflate, br, zstd','Accept-Language: en-US,en;q=0.9','Cookie: session=3f9a0c1e2b7d4a8f; theme=dark'];
const get = Buffer.from(`GET /index.html HTTP/1.1\r\n${H.join('\r\n')}\r\n\r\n`, 'latin1');
const pipe = Buffer.from(Array.from({ length: 16 }, (_, i) => `GET /item/${i} HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n`).join(''), 'latin1');
const h = { onHead: () => {}, onMessageComplete: () => {}, onError: (e: Error) => { throw e; } };
const ps = [new A('request', h), new B('request', h)];
const best = [[Infinity, Infinity], [Infinity, Infinity]];
for (let r = 0; r < 300; r++) {
  for (let k = 0; k < 2; k++) {
    const which = (k + r) % 2;
    for (const [wi, buf] of [get, pipe].entries()) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 500; i++) ps[which].push(buf);
      const dt = Number(process.hrtime.bigint() - t) / 500;
      if (r >= 20 && dt < best[which][wi]) best[which][wi] = dt;
    }
  }
}
console.log('A (current) get', best[0][0].toFixed(0), 'ns, pipe/16', (best[0][1] / 16).toFixed(0), 'ns');
console.log('B (variant) get', best[1][0].toFixed(0), 'ns, pipe/16', (best[1][1] / 16).toFixed(0), 'ns');
