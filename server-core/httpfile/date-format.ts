// Dates for `{{$datetime …}}`, `{{$localDatetime …}}` and `{{$timestamp …}}`:
// REST Client and httpYac format custom patterns with dayjs tokens
// (`'YYYY-MM-DD'`) and add offsets in dayjs units, so the same tokens and the
// same month arithmetic are implemented here (no dependency: server-core has
// none). UTC for $datetime and $timestamp, the local zone for $localDatetime.

export type OffsetUnit = 'y' | 'Q' | 'M' | 'w' | 'd' | 'h' | 'm' | 's' | 'ms';

const FIXED_MS: Partial<Record<OffsetUnit, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `date` plus `amount` units. Months, quarters and years move the calendar
 * month and keep the day, clamped to the month's last day (Jan 31 + 1 M =
 * Feb 28 or 29), as dayjs does; days and weeks are fixed lengths in UTC.
 */
export function addOffset(date: Date, amount: number, unit: OffsetUnit): Date {
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return new Date(date.getTime() + amount * fixed);
  const months = unit === 'y' ? amount * 12 : unit === 'Q' ? amount * 3 : amount;
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TOKENS = /\[([^\]]+)]|Y{1,4}|M{1,4}|D{1,2}|d{1,4}|H{1,2}|h{1,2}|a|A|m{1,2}|s{1,2}|Z{1,2}|SSS/g;

function pad(n: number, width: number): string {
  return String(Math.abs(n)).padStart(width, '0');
}

interface Fields {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** Minutes east of UTC. */
  offset: number;
}

function fields(date: Date, utc: boolean): Fields {
  if (utc) {
    return {
      year: date.getUTCFullYear(), month: date.getUTCMonth(), day: date.getUTCDate(), weekday: date.getUTCDay(),
      hour: date.getUTCHours(), minute: date.getUTCMinutes(), second: date.getUTCSeconds(), ms: date.getUTCMilliseconds(), offset: 0,
    };
  }
  return {
    year: date.getFullYear(), month: date.getMonth(), day: date.getDate(), weekday: date.getDay(),
    hour: date.getHours(), minute: date.getMinutes(), second: date.getSeconds(), ms: date.getMilliseconds(), offset: -date.getTimezoneOffset(),
  };
}

function zone(offset: number, separator: string): string {
  const sign = offset >= 0 ? '+' : '-';
  return `${sign}${pad(Math.floor(Math.abs(offset) / 60), 2)}${separator}${pad(Math.abs(offset) % 60, 2)}`;
}

/** Formats with dayjs tokens; `[text]` is literal, any other character stays as it is. */
export function formatDate(date: Date, pattern: string, utc: boolean): string {
  const f = fields(date, utc);
  return pattern.replace(TOKENS, (token: string, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YY': return pad(f.year, 4).slice(-2);
      case 'YYYY': return pad(f.year, 4);
      case 'M': return String(f.month + 1);
      case 'MM': return pad(f.month + 1, 2);
      case 'MMM': return MONTHS[f.month].slice(0, 3);
      case 'MMMM': return MONTHS[f.month];
      case 'D': return String(f.day);
      case 'DD': return pad(f.day, 2);
      case 'd': return String(f.weekday);
      case 'dd': return DAYS[f.weekday].slice(0, 2);
      case 'ddd': return DAYS[f.weekday].slice(0, 3);
      case 'dddd': return DAYS[f.weekday];
      case 'H': return String(f.hour);
      case 'HH': return pad(f.hour, 2);
      case 'h': return String(f.hour % 12 || 12);
      case 'hh': return pad(f.hour % 12 || 12, 2);
      case 'a': return f.hour < 12 ? 'am' : 'pm';
      case 'A': return f.hour < 12 ? 'AM' : 'PM';
      case 'm': return String(f.minute);
      case 'mm': return pad(f.minute, 2);
      case 's': return String(f.second);
      case 'ss': return pad(f.second, 2);
      case 'SSS': return pad(f.ms, 3);
      case 'Z': return zone(f.offset, ':');
      case 'ZZ': return zone(f.offset, '');
      default: return token; // Y, YYY: dayjs has no meaning for them either
    }
  });
}

/** `date.toUTCString()`: what REST Client and httpYac send for `$datetime rfc1123`. */
export function rfc1123(date: Date): string {
  return date.toUTCString();
}
