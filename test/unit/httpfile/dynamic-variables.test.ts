// Dynamic variables with their arguments, on a fixed clock and a recorded random source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dynamicVariable, type DynamicContext } from '../../../server-core/httpfile/dynamic-variables.js';
import { UnsupportedFeatureError } from '../../../server-core/httpfile/unsupported.js';

const NOW = new Date('2024-01-31T22:30:05.123Z');
const calls: [number, number][] = [];
const ctx: DynamicContext = {
  now: () => NOW,
  // Always the lowest value, and every range asked for is recorded.
  randomInt: (min, max) => (calls.push([min, max]), min),
  uuid: () => 'u-u-i-d',
  processEnv: { USER_NAME: 'ada' },
  dotenv: { KEY: 'k' },
  environment: { nameOfVar: 'USER_NAME' },
};
const v = (expression: string) => dynamicVariable(expression, ctx);

test('$timestamp: Unix seconds, with an offset in dayjs units', () => {
  assert.equal(v('$timestamp'), String(Math.floor(NOW.getTime() / 1000)));
  assert.equal(v('$timestamp -1 d'), String(Math.floor(NOW.getTime() / 1000) - 86_400));
  assert.equal(v('$timestamp 2 h'), String(Math.floor(NOW.getTime() / 1000) + 7_200));
  assert.equal(v('$timestamp 1 M'), String(Math.floor(Date.UTC(2024, 1, 29, 22, 30, 5) / 1000)), 'Jan 31 + 1 month is Feb 29 (clamped)');
  assert.throws(() => v('$timestamp -1 days'), /offset must be a number and a unit/);
});

test('$datetime: rfc1123, iso8601 and dayjs formats, with offsets; $localDatetime in the local zone', () => {
  assert.equal(v('$datetime rfc1123'), 'Wed, 31 Jan 2024 22:30:05 GMT');
  assert.equal(v('$datetime iso8601'), '2024-01-31T22:30:05.123Z');
  assert.equal(v('$datetime iso8601 1 h'), '2024-01-31T23:30:05.123Z');
  assert.equal(v("$datetime 'YYYY-MM-DD HH:mm:ss.SSS'"), '2024-01-31 22:30:05.123');
  assert.equal(v('$datetime "DD/MM/YY [at] h:mm A"'), '31/01/24 at 10:30 PM');
  assert.equal(v("$datetime 'dddd, MMMM D' 1 d"), 'Thursday, February 1');
  assert.equal(v("$datetime 'YYYY' -1 y"), '2023');
  assert.equal(v("$datetime 'Q[Q]' 1 Q"), 'Q[Q]'.replace('[Q]', 'Q'), 'unknown tokens stay');
  const local = v("$localDatetime 'YYYY-MM-DDTHH:mm:ssZ'");
  const offset = -NOW.getTimezoneOffset();
  assert.match(local, offset === 0 ? /\+00:00$/ : /[+-]\d{2}:\d{2}$/);
  assert.throws(() => v('$datetime'), /takes rfc1123, iso8601 or a quoted format/);
});

test('$randomInt: min inclusive, max exclusive, negative bounds; no arguments is JetBrains 0–999', () => {
  calls.length = 0;
  assert.equal(v('$randomInt -10 -5'), '-10');
  assert.equal(v('$randomInt'), '0');
  assert.deepEqual(calls, [[-10, -5], [0, 1000]]);
  assert.throws(() => v('$randomInt 5 5'), /min \(5\) must be below max \(5\)/);
  assert.throws(() => v('$randomInt a b'), /takes two integers/);
});

test('the JetBrains $random family', () => {
  calls.length = 0;
  assert.equal(v('$random.uuid'), 'u-u-i-d');
  assert.equal(v('$random.integer(3, 9)'), '3');
  assert.equal(v('$random.integer(9)'), '0');
  assert.equal(v('$random.float(1, 2)'), '1');
  assert.equal(v('$random.alphabetic(3)'), 'AAA');
  assert.equal(v('$random.alphanumeric(2)'), 'AA');
  assert.equal(v('$random.hexadecimal(4)'), '0000');
  assert.match(v('$random.email'), /^[a-z]{8}@[a-z]{6}\.com$/);
  assert.deepEqual(calls.slice(0, 2), [[3, 9], [0, 9]]);
  assert.throws(() => v('$random.alphabetic'), /takes a length/);
  assert.throws(() => v('$random.address.city'), UnsupportedFeatureError);
});

test('$processEnv and $dotenv, with %name indirection; a missing name is an error, never ""', () => {
  assert.equal(v('$processEnv USER_NAME'), 'ada');
  assert.equal(v('$processEnv %nameOfVar'), 'ada');
  assert.equal(v('$dotenv KEY'), 'k');
  assert.throws(() => v('$processEnv NOPE'), /"NOPE" is not set/);
  assert.throws(() => v('$dotenv NOPE'), /not in the \.env file/);
});

test('unsupported dynamic variables are named', () => {
  assert.throws(() => v('$aadToken new'), (e: Error) => e instanceof UnsupportedFeatureError && /Azure AD token/.test(e.message));
  assert.throws(() => v('$oidcAccessToken'), /OpenID Connect token/);
  assert.throws(() => v('$nope'), /unknown dynamic variable \$nope/);
});
