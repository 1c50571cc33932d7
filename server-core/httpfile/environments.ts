// Environments for `.http` files: JetBrains' http-client.env.json and
// http-client.private.env.json next to the file (private values win), and
// REST Client-style settings ({ "$shared": {…}, "dev": {…} }). `$shared`
// applies under every environment.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type EnvironmentSet = Record<string, Record<string, string>>;

export interface LoadedEnvironments {
  environments: EnvironmentSet;
  /** Problems reading the files, e.g. a JSON syntax error, with the file name. */
  errors: string[];
}

export const ENV_FILE = 'http-client.env.json';
export const PRIVATE_ENV_FILE = 'http-client.private.env.json';

export async function loadEnvironmentFiles(dir: string): Promise<LoadedEnvironments> {
  const errors: string[] = [];
  const sets: EnvironmentSet[] = [];
  for (const name of [ENV_FILE, PRIVATE_ENV_FILE]) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    try {
      sets.push(normalise(JSON.parse(text), name));
    } catch (err) {
      errors.push(`${name}: ${(err as Error).message}`);
    }
  }
  return { environments: mergeEnvironments(...sets), errors };
}

function normalise(json: unknown, source: string): EnvironmentSet {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${source} must hold an object of environments`);
  const out: EnvironmentSet = {};
  for (const [env, vars] of Object.entries(json as Record<string, unknown>)) {
    if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) throw new Error(`environment "${env}" must be an object`);
    out[env] = {};
    for (const [k, v] of Object.entries(vars as Record<string, unknown>)) {
      // Non-string values (numbers, booleans, objects) are sent as their JSON text.
      out[env][k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  return out;
}

/** Later sets win, variable by variable. */
export function mergeEnvironments(...sets: EnvironmentSet[]): EnvironmentSet {
  const out: EnvironmentSet = {};
  for (const set of sets) for (const [env, vars] of Object.entries(set)) out[env] = { ...out[env], ...vars };
  return out;
}

export function environmentNames(set: EnvironmentSet): string[] {
  return Object.keys(set).filter((n) => n !== '$shared').sort();
}

/** The variables in force for `name` (undefined: none selected, only $shared). */
export function selectEnvironment(set: EnvironmentSet, name: string | undefined): Record<string, string> {
  return { ...set.$shared, ...(name ? set[name] : undefined) };
}

/** Parses a `.env` file: KEY=value lines, # comments, optional quotes. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    let value = m[2];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, '\n') : quoted[2];
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]] = value;
  }
  return out;
}
