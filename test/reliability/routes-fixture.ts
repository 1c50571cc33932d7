// A Wireplay server on 127.0.0.1:0 serving one routes file from a fresh folder, for
// the routes-file failure tests: every routes error it reports is kept (as the
// `file:line:col: message` line the CLI prints), and tests wait for the one they
// expect, with a bound.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWireplayServer, type WireplayServer, type WireplayServerOptions } from '../../server-core/server/wireplay-server.js';
import { within } from '../support/within.js';

export interface RoutesServer {
  server: WireplayServer;
  url: string;
  dir: string;
  file: string;
  /** Routes errors so far, formatted `path:line:col: message`. */
  errors: string[];
  /** The first routes error (already reported, or to come) matching `pattern`. */
  routesError(pattern: RegExp, what: string, ms?: number): Promise<RoutesErrorLine>;
  get(path: string): Promise<{ status: number; text: string }>;
}

export interface RoutesErrorLine {
  line?: number;
  column?: number;
  message: string;
}

type Cleanup = { after(fn: () => unknown): void };

export function parseErrorLine(text: string): RoutesErrorLine {
  const m = /wireplay\.routes\.(?:mjs|json)(?::(\d+):(\d+))?: (.*)$/s.exec(text);
  return m ? { line: m[1] ? Number(m[1]) : undefined, column: m[2] ? Number(m[2]) : undefined, message: m[3] } : { message: text };
}

export async function startRoutesServer(
  t: Cleanup,
  name: 'wireplay.routes.mjs' | 'wireplay.routes.json',
  text: string,
  options: Pick<WireplayServerOptions, 'routesLimits'> = {},
): Promise<RoutesServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-reliability-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  const errors: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  const server = createWireplayServer({ routesFile: file, allowCode: true, ...options });
  server.events.on('error', (e) => {
    if (e.kind !== 'routes') return;
    errors.push(e.message);
    for (const w of [...waiters]) w(e.message);
  });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { url } = await server.listen();
  return {
    server,
    url,
    dir,
    file,
    errors,
    routesError(pattern, what, ms = 20_000) {
      const seen = errors.find((e) => pattern.test(e));
      if (seen) return Promise.resolve(parseErrorLine(seen));
      return within(
        new Promise<RoutesErrorLine>((resolve) => {
          const w = (line: string) => {
            if (!pattern.test(line)) return;
            waiters.splice(waiters.indexOf(w), 1);
            resolve(parseErrorLine(line));
          };
          waiters.push(w);
        }),
        what,
        ms,
      );
    },
    async get(path) {
      const res = await fetch(url + path);
      return { status: res.status, text: await res.text() };
    },
  };
}
