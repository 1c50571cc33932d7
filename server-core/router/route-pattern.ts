// Route patterns: compiling `/users/:id/*` into segments, and matching a raw
// (still percent-encoded) request path against them. Patterns are split on '/'
// and matched segment by segment *before* percent-decoding, so an encoded slash
// (%2F) never acts as a separator. Segments are:
//   literal   `/users`       compared after percent-decoding (`/%75sers` matches)
//   param     `/:id`         one non-empty segment, percent-decoded into params.id
//   wildcard  `/*`           last segment only: zero or more segments, decoded into params['*']
// The rank (literal before param before wildcard, segment by segment) orders a
// layer's routes: the most specific pattern wins (compareRank).
import { RoutePatternError } from './route-types.js';

export type Segment = { type: 'literal'; value: string } | { type: 'param'; name: string } | { type: 'wildcard' };

export interface CompiledPattern {
  source: string;
  segments: Segment[];
  /** Specificity key: 0 literal, 1 param, 2 wildcard per segment. */
  rank: number[];
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function compilePattern(pattern: string): CompiledPattern {
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw new RoutePatternError(`route pattern ${JSON.stringify(pattern)} must start with '/'`);
  }
  const parts = pattern === '/' ? [] : pattern.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  parts.forEach((part, i) => {
    if (part === '*') {
      if (i !== parts.length - 1) throw new RoutePatternError(`route pattern ${pattern}: '*' must be the last segment`);
      segments.push({ type: 'wildcard' });
    } else if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!PARAM_NAME.test(name)) throw new RoutePatternError(`route pattern ${pattern}: invalid parameter name ${JSON.stringify(name)}`);
      if (names.has(name)) throw new RoutePatternError(`route pattern ${pattern}: parameter :${name} appears twice`);
      names.add(name);
      segments.push({ type: 'param', name });
    } else {
      if (part.includes('*')) throw new RoutePatternError(`route pattern ${pattern}: '*' must be a whole segment`);
      if (part === '' && i !== parts.length - 1) throw new RoutePatternError(`route pattern ${pattern}: empty segment`);
      const value = safeDecode(part);
      if (value === undefined) throw new RoutePatternError(`route pattern ${pattern}: invalid percent-encoding`);
      segments.push({ type: 'literal', value });
    }
  });
  return { source: pattern, segments, rank: segments.map((s) => (s.type === 'literal' ? 0 : s.type === 'param' ? 1 : 2)) };
}

/** decodeURIComponent that returns undefined instead of throwing (overlong UTF-8, lone %, …). */
export function safeDecode(s: string): string | undefined {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Matches a raw (percent-encoded) path; undefined when it does not match or cannot be decoded. */
export function matchPattern(p: CompiledPattern, rawSegments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const segs = p.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg.type === 'wildcard') {
      const rest = rawSegments.slice(i).join('/');
      const decoded = safeDecode(rest);
      if (decoded === undefined) return undefined;
      params['*'] = decoded;
      return params;
    }
    if (i >= rawSegments.length) return undefined;
    const raw = rawSegments[i];
    const decoded = safeDecode(raw);
    if (decoded === undefined) return undefined;
    if (seg.type === 'literal') {
      if (decoded !== seg.value) return undefined;
    } else {
      if (raw === '') return undefined;
      params[seg.name] = decoded;
    }
  }
  return rawSegments.length === segs.length ? params : undefined;
}

/** The raw segments of an origin-form path (callers check the leading slash). */
export function splitPath(path: string): string[] {
  if (!path.startsWith('/')) return [];
  return path === '/' ? [] : path.slice(1).split('/');
}

export function compareRank(a: { pattern: CompiledPattern; order: number }, b: { pattern: CompiledPattern; order: number }): number {
  const n = Math.max(a.pattern.rank.length, b.pattern.rank.length);
  for (let i = 0; i < n; i++) {
    // Past the end of the shorter pattern: it ranks after a param and before a wildcard, so
    // `/files` beats `/files/*` for the path `/files` (the only way two lengths match one path).
    const x = a.pattern.rank[i] ?? 1.5;
    const y = b.pattern.rank[i] ?? 1.5;
    if (x !== y) return x - y;
  }
  return a.order - b.order;
}
