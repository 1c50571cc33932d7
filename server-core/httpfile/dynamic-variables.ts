// The dynamic variables of the three tools, with their arguments:
//   REST Client / httpYac: $guid, $timestamp [offset unit], $datetime rfc1123|iso8601|'format' [offset unit],
//     $localDatetime …, $randomInt min max, $processEnv [%]NAME, $dotenv [%]NAME
//   JetBrains: $uuid, $timestamp, $isoTimestamp, $randomInt (0–999), $random.uuid, $random.integer(from, to),
//     $random.float(from, to), $random.alphabetic(n), $random.alphanumeric(n), $random.hexadecimal(n), $random.email
// A malformed one is an error, an unsupported one (Azure AD tokens, faker data)
// an UnsupportedFeatureError; neither is ever replaced by an empty string.
import { randomInt as cryptoRandomInt, randomUUID } from 'node:crypto';
import { addOffset, formatDate, rfc1123, type OffsetUnit } from './date-format.js';
import { UnsupportedFeatureError, unsupportedDynamicVariable } from './unsupported.js';

export interface DynamicContext {
  now?: () => Date;
  /** A random integer in [min, max). Default: node:crypto. */
  randomInt?: (min: number, max: number) => number;
  uuid?: () => string;
  processEnv: Readonly<Record<string, string | undefined>>;
  dotenv: Readonly<Record<string, string>>;
  /** The environment in force, for the `%name` indirection of $processEnv and $dotenv. */
  environment: Readonly<Record<string, string>>;
}

const OFFSET = /^(-?\d+)\s+(y|Q|M|w|d|h|m|s|ms)$/;

function offsetOf(args: string, name: string): { amount: number; unit: OffsetUnit } | undefined {
  if (args.trim() === '') return undefined;
  const m = OFFSET.exec(args.trim());
  if (!m) throw new Error(`${name}: the offset must be a number and a unit (y Q M w d h m s ms), e.g. "-1 d"; got "${args.trim()}"`);
  return { amount: Number(m[1]), unit: m[2] as OffsetUnit };
}

function shifted(now: Date, offset: { amount: number; unit: OffsetUnit } | undefined): Date {
  return offset ? addOffset(now, offset.amount, offset.unit) : now;
}

const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

function randomText(length: number, alphabet: string, rnd: (min: number, max: number) => number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[rnd(0, alphabet.length)];
  return out;
}

/** The value of `{{$…}}`; `expression` is what stands between the braces, trimmed. */
export function dynamicVariable(expression: string, ctx: DynamicContext): string {
  const now = ctx.now?.() ?? new Date();
  const rnd = ctx.randomInt ?? cryptoRandomInt;
  const uuid = ctx.uuid ?? randomUUID;
  const name = /^\$[\w.]+/.exec(expression)?.[0] ?? expression;
  const args = expression.slice(name.length).trim();
  const unsupported = unsupportedDynamicVariable(name);
  if (unsupported) throw new UnsupportedFeatureError(unsupported);

  switch (name) {
    case '$uuid':
    case '$guid':
    case '$random.uuid':
      return uuid();
    case '$timestamp':
      return String(Math.floor(shifted(now, offsetOf(args, '$timestamp')).getTime() / 1000));
    case '$isoTimestamp':
      return now.toISOString();
    case '$datetime':
    case '$localDatetime': {
      const m = /^(rfc1123|iso8601|'[^']*'|"[^"]*")(?:\s+(.*))?$/.exec(args);
      if (!m) throw new Error(`${name} takes rfc1123, iso8601 or a quoted format ('YYYY-MM-DD'), then an optional offset such as "1 d"; got "${args}"`);
      const d = shifted(now, offsetOf(m[2] ?? '', name));
      const utc = name === '$datetime';
      if (m[1] === 'rfc1123') return utc ? rfc1123(d) : formatDate(d, 'ddd, DD MMM YYYY HH:mm:ss ZZ', false);
      if (m[1] === 'iso8601') return utc ? d.toISOString() : formatDate(d, 'YYYY-MM-DDTHH:mm:ssZ', false);
      return formatDate(d, m[1].slice(1, -1), utc);
    }
    case '$randomInt': {
      // JetBrains: no arguments, 0 to 999. REST Client and httpYac: min (inclusive) and max (exclusive), negative allowed.
      if (args === '') return String(rnd(0, 1000));
      const m = /^(-?\d+)\s+(-?\d+)$/.exec(args);
      if (!m) throw new Error(`$randomInt takes two integers, min and max: "{{$randomInt -10 10}}"; got "${args}"`);
      const min = Number(m[1]);
      const max = Number(m[2]);
      if (max <= min) throw new Error(`$randomInt: min (${min}) must be below max (${max})`);
      return String(rnd(min, max));
    }
    case '$processEnv':
    case '$dotenv': {
      let key = args;
      if (!/^%?[\w.-]+$/.test(key)) throw new Error(`${name} needs a variable name, e.g. {{${name} HOME}}`);
      // `%name` reads the variable's name from the environment first (REST Client).
      if (key.startsWith('%')) {
        const indirect = ctx.environment[key.slice(1)];
        if (indirect === undefined) throw new Error(`"${key.slice(1)}" is not defined in the environment`);
        key = indirect;
      }
      const value = (name === '$processEnv' ? ctx.processEnv : ctx.dotenv)[key];
      if (value === undefined) throw new Error(name === '$processEnv' ? `$processEnv: "${key}" is not set in the environment of the process` : `$dotenv: "${key}" is not in the .env file`);
      return value;
    }
    case '$random.integer':
    case '$random.float': {
      const m = /^\(\s*(?:(-?\d+(?:\.\d+)?)\s*(?:,\s*(-?\d+(?:\.\d+)?)\s*)?)?\)$/.exec(args);
      if (!m && args !== '') throw new Error(`${name} takes (from, to): {{${name}(1, 10)}}`);
      let from = 0;
      let to = 1000;
      if (m?.[2] !== undefined) [from, to] = [Number(m[1]), Number(m[2])];
      else if (m?.[1] !== undefined) to = Number(m[1]);
      if (to <= from) throw new Error(`${name}: "from" (${from}) must be below "to" (${to})`);
      if (name === '$random.integer') {
        if (!Number.isInteger(from) || !Number.isInteger(to)) throw new Error('$random.integer takes integers');
        return String(rnd(from, to));
      }
      return String(from + (rnd(0, 2 ** 32) / 2 ** 32) * (to - from));
    }
    case '$random.alphabetic':
    case '$random.alphanumeric':
    case '$random.hexadecimal': {
      const m = /^\(\s*(\d+)\s*\)$/.exec(args);
      if (!m) throw new Error(`${name} takes a length: {{${name}(8)}}`);
      const alphabet = name === '$random.alphabetic' ? ALPHA : name === '$random.hexadecimal' ? HEX : `${ALPHA}0123456789_`;
      return randomText(Number(m[1]), alphabet, rnd);
    }
    case '$random.email':
      return `${randomText(8, ALPHA.slice(26), rnd)}@${randomText(6, ALPHA.slice(26), rnd)}.com`;
  }
  throw new Error(`unknown dynamic variable ${name}`);
}
