// Environments for `.http` files, found where the tools look for them:
// JetBrains' and httpYac's http-client.env.json and http-client.private.env.json
// in the file's folder and every folder above it up to the workspace root (the
// nearer file wins, a private file wins over a public one, variable by
// variable), REST Client's `rest-client.environmentVariables` in
// .vscode/settings.json, and Wireplay's own `wireplay.environments` setting.
// `$shared` applies under every environment, and `{{$shared name}}` in a value
// reads it (REST Client). `.env` files for `{{$dotenv NAME}}` are found the same
// way (`.env.ENV` first, as REST Client does).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, parse as parsePath, relative } from 'node:path';

export type EnvironmentSet = Record<string, Record<string, string>>;

export interface LoadedEnvironments {
  environments: EnvironmentSet;
  /** Problems reading the files, e.g. a JSON syntax error, with the file name. */
  errors: string[];
  /** The files read, nearest last. */
  files: string[];
}

export const ENV_FILE = 'http-client.env.json';
export const PRIVATE_ENV_FILE = 'http-client.private.env.json';
export const REST_CLIENT_SETTING = 'rest-client.environmentVariables';

/** Files or folders that mark the top of a project: the search for environment files stops there. */
const ROOT_MARKERS = ['.git', '.vscode', '.idea', 'package.json', '.httpyac.json', 'httpyac.config.js'];

/** The folder the search stops at: the nearest ancestor of `dir` that holds a root marker, else the filesystem root. */
export function findWorkspaceRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (ROOT_MARKERS.some((m) => existsSync(join(d, m)))) return d;
    if (dirname(d) === d) return d;
  }
}

/** `dir` and its ancestors up to `root` (inclusive), nearest first. A `root` that is not an ancestor stops at `dir`. */
export function foldersUpTo(dir: string, root: string): string[] {
  const out = [dir];
  if (relative(root, dir).startsWith('..') || parsePath(dir).root === dir) return out;
  for (let d = dir; d !== root && dirname(d) !== d; ) {
    d = dirname(d);
    out.push(d);
  }
  return out;
}

/** Environment files are JSON; settings.json is JSON with comments (`comments`). */
async function readJson(path: string, label: string, errors: string[], comments = false): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(comments ? stripJsonComments(text) : text);
  } catch (err) {
    errors.push(`${label}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Environment files from `dir` up to `root`; without a root, only `dir` (the old behaviour). */
export async function loadEnvironmentFiles(dir: string, root: string = dir): Promise<LoadedEnvironments> {
  const errors: string[] = [];
  const files: string[] = [];
  const publicSets: EnvironmentSet[] = [];
  const privateSets: EnvironmentSet[] = [];
  for (const folder of foldersUpTo(dir, root).reverse()) {
    for (const [name, into] of [[ENV_FILE, publicSets], [PRIVATE_ENV_FILE, privateSets]] as const) {
      const path = join(folder, name);
      // Next to the .http file the name says which file it is; further up, the path does.
      const label = folder === dir ? name : path;
      const json = await readJson(path, label, errors);
      if (json === undefined) continue;
      try {
        into.push(normalise(json, name));
        files.push(path);
      } catch (err) {
        errors.push(`${label}: ${(err as Error).message}`);
      }
    }
  }
  return { environments: mergeEnvironments(...publicSets, ...privateSets), errors, files };
}

/** REST Client's `rest-client.environmentVariables` from the nearest .vscode/settings.json between `dir` and `root`. */
export async function loadRestClientSettings(dir: string, root: string = dir): Promise<LoadedEnvironments> {
  const errors: string[] = [];
  for (const folder of foldersUpTo(dir, root)) {
    const path = join(folder, '.vscode', 'settings.json');
    if (!existsSync(path)) continue;
    const json = await readJson(path, path, errors, true);
    const value = json && typeof json === 'object' ? (json as Record<string, unknown>)[REST_CLIENT_SETTING] : undefined;
    if (value === undefined) return { environments: {}, errors, files: [] };
    try {
      return { environments: normalise(value, `${REST_CLIENT_SETTING} in ${path}`), errors, files: [path] };
    } catch (err) {
      errors.push(`${path}: ${(err as Error).message}`);
      return { environments: {}, errors, files: [] };
    }
  }
  return { environments: {}, errors, files: [] };
}

/** Removes // and /* *\/ comments and trailing commas (settings.json is JSON with comments). */
export function stripJsonComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
      continue;
    }
    out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

function normalise(json: unknown, source: string): EnvironmentSet {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${source} must hold an object of environments`);
  const out: EnvironmentSet = {};
  for (const [env, vars] of Object.entries(json as Record<string, unknown>)) {
    if (env === '$schema') continue;
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

/** The variables in force for `name` (undefined: none selected, only $shared); `{{$shared x}}` in a value reads $shared's x. */
export function selectEnvironment(set: EnvironmentSet, name: string | undefined): Record<string, string> {
  const shared = set.$shared ?? {};
  const out: Record<string, string> = { ...shared, ...(name ? set[name] : undefined) };
  for (const [k, v] of Object.entries(out)) {
    out[k] = v.replace(/\{\{\s*\$shared\s+([^}\s]+)\s*\}\}/g, (whole, ref: string) => shared[ref] ?? whole);
  }
  return out;
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

/** The `.env` for `{{$dotenv}}`: `.env.ENV` or `.env` in the nearest folder from `dir` up to `root` that has one. */
export async function loadDotenv(dir: string, root: string = dir, environment?: string): Promise<Record<string, string>> {
  for (const folder of foldersUpTo(dir, root)) {
    for (const name of [...(environment ? [`.env.${environment}`] : []), '.env']) {
      try {
        return parseDotenv(await readFile(join(folder, name), 'utf8'));
      } catch {
        // not here
      }
    }
  }
  return {};
}

export interface FileEnvironments {
  set: EnvironmentSet;
  errors: string[];
}

/** Everything a .http file at `dir` sees, lowest first: a given set (a setting), REST Client's settings, the env files. */
export async function environmentsFor(dir: string, root: string, base: EnvironmentSet = {}): Promise<FileEnvironments> {
  const [restClient, files] = await Promise.all([loadRestClientSettings(dir, root), loadEnvironmentFiles(dir, root)]);
  return { set: mergeEnvironments(base, restClient.environments, files.environments), errors: [...restClient.errors, ...files.errors] };
}

export type CommandLineEnvironment =
  | { ok: true; variables: Record<string, string>; dotenv: Record<string, string>; warnings: string[] }
  | { ok: false; message: string; warnings: string[] };

/**
 * What a `.http` file in `dir` sees on the command line: the environment files and REST Client settings up
 * to the workspace root, the one `--env` names (with `$shared`), and the `.env` for `{{$dotenv}}`. An
 * `--env` that no file defines is an error naming the environments there are.
 */
export async function commandLineEnvironment(dir: string, env: string | undefined, label: string): Promise<CommandLineEnvironment> {
  const root = findWorkspaceRoot(dir);
  const envs = await environmentsFor(dir, root);
  const names = environmentNames(envs.set);
  if (env !== undefined && !names.includes(env)) {
    return { ok: false, message: `no environment "${env}" in the environment files or REST Client settings of ${label}${names.length ? ` (there are: ${names.join(', ')})` : ''}`, warnings: envs.errors };
  }
  return { ok: true, variables: selectEnvironment(envs.set, env), dotenv: await loadDotenv(dir, root, env), warnings: envs.errors };
}
