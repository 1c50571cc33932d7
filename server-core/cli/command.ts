// What every CLI subcommand implements, and the flag parsing they share:
// node:util parseArgs with each command's options declared in its shape, plus
// the two rules the CLI has always kept (a value may not be empty; a flag that
// takes a value may not be given twice unless it is a list) and readable
// usage errors.
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Resolves on the first SIGINT or SIGTERM (the CLI installs the handlers). */
  interrupted: Promise<NodeJS.Signals>;
  /** Standard input, when it is not the default process.stdin (tests); `--var` prompts and `send -` read it. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Command {
  name: string;
  /** One line for `wireplay --help`. */
  summary: string;
  /** The full usage text for `wireplay NAME --help` and for usage errors. */
  usage: string;
  /** Resolves with the exit code. Throw UsageError for bad flags (exit 2, usage on stderr). */
  run(argv: string[], io: CliIo): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command's options, as node:util parseArgs takes them: `{ port: { type: 'string' }, help: { type: 'boolean' } }`. */
export type FlagOptions = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

export interface ParsedFlags {
  /** Flags taking a value, given once: `--port 80` or `--port=80`. */
  values: Map<string, string>;
  /** Flags without a value that were given. */
  switches: Set<string>;
  /** Flags declared `multiple`, in order: `--var a=1 --var b=2`. */
  lists: Map<string, string[]>;
  positionals: string[];
}

/**
 * A flag that takes a value takes the next argument whatever it looks like
 * (`--capture-limit -1MiB` is a bad size, not a missing value), as the CLI
 * always did; parseArgs alone would call a value starting with "-" ambiguous.
 */
function joinValues(argv: readonly string[], options: FlagOptions): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    if (name !== undefined && options[name]?.type === 'string' && i + 1 < argv.length && argv[i + 1].startsWith('-')) {
      out.push(`${arg}=${argv[++i]}`);
      continue;
    }
    out.push(arg);
  }
  return out;
}

export function parseFlags(argv: readonly string[], options: FlagOptions): ParsedFlags {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joinValues(argv, options), options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(usageMessage(err as Error & { code?: string }));
  }
  const out: ParsedFlags = { values: new Map(), switches: new Set(), lists: new Map(), positionals: [...parsed.positionals] };
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (spec.type === 'boolean') {
      out.switches.add(token.name);
      continue;
    }
    const value = token.value ?? '';
    if (value === '') throw new UsageError(`--${token.name} needs a value`);
    if (spec.multiple) {
      out.lists.set(token.name, [...(out.lists.get(token.name) ?? []), value]);
      continue;
    }
    if (out.values.has(token.name)) throw new UsageError(`--${token.name} given twice`);
    out.values.set(token.name, value);
  }
  return out;
}

/** parseArgs' errors in the CLI's own words. */
function usageMessage(err: Error & { code?: string }): string {
  const option = /'(-{1,2}[^' <]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? err.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(err.message) ? `${option} takes no value` : `${option} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return err.message;
    default:
      return err.message;
  }
}
