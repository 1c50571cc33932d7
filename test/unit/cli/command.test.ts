// The CLI's flag parsing: node:util parseArgs with the rules the CLI keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseFlags, type FlagOptions } from '../../../server-core/cli/command.js';

const FLAGS = {
  port: { type: 'string' },
  var: { type: 'string', multiple: true },
  'no-open': { type: 'boolean' },
  help: { type: 'boolean' },
} satisfies FlagOptions;

test('values as --name value or --name=value, switches, repeatable lists, positionals, - and --', () => {
  const f = parseFlags(['--port', '80', 'a.http', '--no-open', '--var=x=1', '--var', 'y=2', '-', '--', '--port'], FLAGS);
  assert.deepEqual([...f.values], [['port', '80']]);
  assert.deepEqual([...f.switches], ['no-open']);
  assert.deepEqual([...f.lists], [['var', ['x=1', 'y=2']]]);
  assert.deepEqual(f.positionals, ['a.http', '-', '--port']);
  // A value may start with a dash: the command judges it (a negative size, a bad number), not the parser.
  assert.deepEqual([...parseFlags(['--port', '-1'], FLAGS).values], [['port', '-1']]);
});

test("usage errors in the CLI's words: unknown options, missing or empty values, values given twice or to a switch", () => {
  const cases: [string[], string][] = [
    [['--nope'], 'unknown option --nope'],
    [['-x'], 'unknown option -x'],
    [['--port'], '--port needs a value'],
    [['--port='], '--port needs a value'],
    [['--port', '1', '--port=2'], '--port given twice'],
    [['--help=yes'], '--help takes no value'],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseFlags(argv, FLAGS), (e: unknown) => e instanceof UsageError && e.message === message, argv.join(' '));
  }
});
