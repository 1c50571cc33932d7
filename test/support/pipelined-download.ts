// A plain TCP client that asks a Wireplay demo server for `count` responses of
// /bytes/SIZE in one pipelined write and keeps every byte it receives, so a
// test or benchmark can make one connection carry a large capture and compare
// what the playground shows with what crossed the wire. The socket stays open
// (the caller closes it): the connection is still live in the capture.
import { connect, type Socket } from 'node:net';

export interface Download {
  socket: Socket;
  /** Everything sent, in order. */
  sent: Buffer;
  /** Everything received, in order. */
  received(): Buffer;
  receivedBytes: number;
  localPort: number;
}

/** `beforeRequests` runs once connected, before the requests are written (to start watching the connection). */
export function pipelinedDownload(port: number, count: number, size: number, beforeRequests?: (localPort: number) => Promise<void>, host = '127.0.0.1'): Promise<Download> {
  const request = `GET /bytes/${size} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`;
  const sent = Buffer.from(request.repeat(count));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    let pending = Buffer.alloc(0);
    let bodyLeft = -1;
    let done = 0;
    const socket = connect(port, host, () => {
      if (!beforeRequests) return void socket.write(sent);
      beforeRequests(socket.localPort ?? 0).then(() => socket.write(sent), reject);
    });
    const result: Download = {
      socket,
      sent,
      received: () => Buffer.concat(chunks),
      get receivedBytes() {
        return receivedBytes;
      },
      get localPort() {
        return socket.localPort ?? 0;
      },
    };
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${done} of ${count} responses`)));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      receivedBytes += d.length;
      let buf = pending.length ? Buffer.concat([pending, d]) : d;
      for (;;) {
        if (bodyLeft < 0) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) break;
          const head = buf.subarray(0, end).toString('latin1');
          const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
          if (status !== '200') return reject(new Error(`expected 200, got: ${head.split('\r\n')[0]}`));
          bodyLeft = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
          buf = buf.subarray(end + 4);
        }
        const take = Math.min(bodyLeft, buf.length);
        bodyLeft -= take;
        buf = buf.subarray(take);
        if (bodyLeft > 0) break;
        bodyLeft = -1;
        if (++done === count) {
          socket.removeAllListeners('close');
          return resolve(result);
        }
      }
      pending = Buffer.from(buf);
    });
  });
}
