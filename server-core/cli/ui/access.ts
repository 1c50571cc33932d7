// Who may use the standalone UI server (`wireplay ui`): every path sits under
// a random token (http://127.0.0.1:PORT/TOKEN/), so no other page or user on
// the machine can load the UI or drive the playground controller; only our
// own Host header is served (DNS rebinding), on the page and on the WebSocket
// upgrade alike; the WebSocket also checks its Origin. Anything else gets 403
// (a wrong method 405, a path that does not decode 400), with a plain text line.
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** What a request may see: the path under the token, or the refusal to send. */
export type AccessDecision = { ok: true; rest: string } | { ok: false; status: 400 | 403 | 405; text: string };

export class UiAccess {
  /** 24 random bytes, base64url: the part of the URL nobody else knows. */
  readonly token = randomBytes(24).toString('base64url');
  /** Host values served (DNS rebinding); filled by listening(). Give this array to the WebSocket route too. */
  readonly hosts: string[] = [];
  /** Origins allowed to open the WebSocket; filled by listening(). Give this array to the WebSocket route. */
  readonly origins: string[] = [];

  /** The server listens on this port: its Host values and page origins become the only ones accepted. */
  listening(port: number): void {
    this.hosts.push(`127.0.0.1:${port}`, `localhost:${port}`);
    this.origins.push(`http://127.0.0.1:${port}`, `http://localhost:${port}`);
  }

  /** The WebSocket's path, under the token. */
  get webSocketPath(): string {
    return `/${this.token}/ws`;
  }

  /** Checks the Host, the token and the method of a request for the page or its files. */
  check(host: string | undefined, path: string, method: string): AccessDecision {
    if (!this.hosts.includes((host ?? '').toLowerCase())) return { ok: false, status: 403, text: 'Forbidden: wrong Host.\n' };
    const parts = path.split('/'); // ['', token, ...rest]
    if (parts.length < 3 || !sameToken(parts[1], this.token)) {
      return { ok: false, status: 403, text: 'Forbidden: open the URL printed by `wireplay ui` (it carries a token).\n' };
    }
    if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, text: 'Method not allowed.\n' };
    let rest: string;
    try {
      rest = decodeURIComponent(parts.slice(2).join('/'));
    } catch {
      return { ok: false, status: 400, text: 'Bad request: the path is not valid percent-encoding.\n' };
    }
    return { ok: true, rest };
  }
}

/** Compares in constant time (no timing hint of how much of a guess was right). */
export function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
