const dir = process.argv[2]; const part = process.argv[3];
const core = await import(dir + '/server-core/index.js');
const { TrafficModel } = await import(dir + '/extension/server/traffic-model.js');
const capture = new core.Emitter();
if (part.includes('s')) new core.CaptureStore({ maxBytes: 64 * 1024 * 1024, dissect: false }).attach(capture);
const traffic = new TrafficModel();
if (part.includes('t')) { capture.on('open', (e) => traffic.opened(e)); capture.on('chunk', (e) => traffic.chunk(e)); capture.on('close', (e) => traffic.closed(e)); }
const REQUEST = 'GET /small HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\n\r\n';
const RESPONSE = Buffer.alloc(120, 65);
const ids = Array.from({ length: 50 }, (_, i) => { const id = `srv-${i}`; capture.emit('open', { connectionId: id, side: 'server', protocol: 'http', tls: false, local: { address: '127.0.0.1', port: 8080 }, remote: { address: '127.0.0.1', port: 40000 + i }, t: 0, wallTime: 0 }); return id; });
const run = (n) => { for (let i = 0; i < n; i++) { const id = ids[i % 50]; const idx = (i / 50 | 0) + 1;
  capture.emit('chunk', { connectionId: id, dir: 'c2s', t: performance.now(), bytes: Buffer.from(REQUEST, 'latin1') });
  capture.emit('chunk', { connectionId: id, dir: 's2c', t: performance.now(), bytes: RESPONSE });
  if (part.includes('x')) traffic.exchange({ connectionId: id, index: idx, method: 'GET', target: '/small', status: 200, durationMs: 0.05 });
  if (part.includes('p')) capture.emit('pipeline', { connectionId: id, index: idx, t: 0, method: 'GET', target: '/small', status: 200, stages: {}, route: null });
} };
run(100000);
const u0 = process.cpuUsage(); run(400000); const u = process.cpuUsage(u0);
console.log(part, ((u.user + u.system) * 1000 / 400000).toFixed(0), 'ns');
