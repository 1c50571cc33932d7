// Placing a wireplay.routes.mjs problem in the file: an error's stack names the
// module's URL with line and column; V8 keeps the position of a syntax error out of
// the error object, so `node --check` is asked; an export key is found in the text;
// and a load that never finishes is pinned to the first top-level `await`.
import { execFile } from 'node:child_process';
import { lineIndex } from '../source-locations.js';
import type { UserRouteError } from '../types.js';
import type { ErrorSnapshot } from './protocol.js';

export interface Place {
  line?: number;
  column?: number;
}

/** The first place in a stack inside the module (its URL, whatever the cache-busting query). */
export function stackPlace(stack: string | undefined, fileHref: string): Place {
  if (!stack) return {};
  const re = new RegExp(`${fileHref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\?[^:\\s)]*)?:(\\d+):(\\d+)`);
  const m = re.exec(stack);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : {};
}

/** The error for a module that failed to load. */
export async function moduleLoadError(file: string, fileHref: string, e: ErrorSnapshot): Promise<UserRouteError> {
  const message = `${e.name}: ${e.message}`;
  const place = stackPlace(e.stack, fileHref);
  if (place.line !== undefined) return { code: e.name === 'SyntaxError' ? 'MODULE_SYNTAX' : 'MODULE_FAILED', file, message, ...place };
  if (e.name === 'SyntaxError') return { code: 'MODULE_SYNTAX', file, message, ...(await checkSyntax(file)) };
  return { code: 'MODULE_FAILED', file, message };
}

/** `node --check` prints file:line, the source line, and a caret under the column. */
function checkSyntax(file: string): Promise<Place> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--check', file],
      // ELECTRON_RUN_AS_NODE lets the VS Code extension host's binary act as node.
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 10_000, windowsHide: true },
      (_error, _stdout, stderr) => {
        const lines = String(stderr).split(/\r?\n/);
        const first = lines.findIndex((l) => /:(\d+)$/.test(l));
        if (first < 0) return resolve({});
        const line = Number(/:(\d+)$/.exec(lines[first])![1]);
        const caret = lines.slice(first + 1, first + 4).find((l) => /^\s*\^/.test(l));
        resolve(caret !== undefined ? { line, column: caret.indexOf('^') + 1 } : { line });
      },
    );
  });
}

/** Finds places in the module's text: export keys, the first top-level await. */
export class ModuleText {
  private readonly locate: ReturnType<typeof lineIndex>;

  constructor(readonly text: string) {
    this.locate = lineIndex(text);
  }

  at(offset: number): Place {
    const loc = this.locate(offset);
    return { line: loc.line, column: loc.column };
  }

  /** Where an export key is written (quoted in any of the three ways). */
  key(key: string): Place {
    for (const q of ["'", '"', '`']) {
      const at = this.text.indexOf(q + key + q);
      if (at >= 0) return this.at(at);
    }
    return {};
  }

  /** The export key written last at or above `line`: the route whose code that line most likely is. */
  keyAround(line: number, keys: readonly string[]): string | undefined {
    let best: { key: string; line: number } | undefined;
    for (const key of keys) {
      const at = this.key(key).line;
      if (at !== undefined && at <= line && (!best || at > best.line)) best = { key, line: at };
    }
    return best?.key;
  }

  /**
   * The first `await` outside every function body, string, template and comment. A load
   * that never finishes is most often waiting there. A rough scan (braces, not a parser):
   * good enough to point at the line.
   */
  firstTopLevelAwait(): Place {
    const t = this.text;
    let depth = 0;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (c === '/' && t[i + 1] === '/') i = t.indexOf('\n', i) < 0 ? t.length : t.indexOf('\n', i);
      else if (c === '/' && t[i + 1] === '*') i = t.indexOf('*/', i + 2) < 0 ? t.length : t.indexOf('*/', i + 2) + 1;
      else if (c === '"' || c === "'" || c === '`') {
        for (i++; i < t.length && t[i] !== c; i++) if (t[i] === '\\') i++;
      } else if (c === '{') depth++;
      else if (c === '}') depth = Math.max(0, depth - 1);
      else if (depth === 0 && t.startsWith('await', i) && !/[\w$]/.test(t[i - 1] ?? '') && !/[\w$]/.test(t[i + 5] ?? '')) return this.at(i);
    }
    return {};
  }
}
