// wireplay test: `.http` files as API tests for CI. The files (or every
// `.http` / `.rest` file below the folders given) run request by request with
// their scripts and `??` assertions (httpfile/cli-test.ts); one line per test,
// then exactly `N passed, N failed`. Exit status: 0 when every test passed,
// 1 when one failed, 2 for bad usage or a parse error (or a refused feature),
// 130 when interrupted.
import { runHttpTests } from '../../httpfile/cli-test.js';
import { UsageError, parseFlags, type Command, type FlagOptions } from '../command.js';
import { parseDialect, parseVars } from './send.js';

const USAGE = `Usage: wireplay test [FILES or FOLDERS…] [options]

Runs every request of the .http / .rest files (folders: every such file
below them; nothing: the current folder) in file order, with their scripts
and assertions: JetBrains handlers (client.test), httpYac blocks (test())
and ?? lines. Prints one line per test (✓ or ✗, its name, its duration),
the details of each failure, and ends with "N passed, N failed". A request
without checks passes when its exchange happened.

  --env ENV         the environment from http-client.env.json (next to each
                    file or above it) or from rest-client.environmentVariables
  --var NAME=VALUE  a value for a variable or a "# @prompt NAME" (repeatable)
  --junit OUT.xml   also write the results as JUnit XML (one testsuite per
                    file, one testcase per check; GitHub Actions, GitLab and
                    Jenkins read it)
  --bail            stop at the first failed test
  --filter NAME     run only the requests whose name, request line or one of
                    whose checks contains NAME (any case); the requests they
                    reference still run first
  --dialect D       where the tools disagree, read the files as rest-client,
                    httpyac or jetbrains does (default auto)
  --timeout MS      give up on each exchange after MS ms (default 30000)
  --script-timeout MS
                    stop a script still running after MS ms (default 5000)
  --help            this text

Exit status: 0 when every test passed, 1 when a test failed, 2 for bad usage,
a file that cannot be read, a syntax error or a feature Wireplay does not
support (the error at its line), 130 when interrupted.
`;

const FLAGS = {
  env: { type: 'string' },
  var: { type: 'string', multiple: true },
  junit: { type: 'string' },
  bail: { type: 'boolean' },
  filter: { type: 'string' },
  dialect: { type: 'string' },
  timeout: { type: 'string' },
  'script-timeout': { type: 'string' },
  help: { type: 'boolean' },
} satisfies FlagOptions;

function positiveMs(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new UsageError(`--${name} must be a number of milliseconds above 0, got ${text}`);
  return Number(text);
}

export const testCommand: Command = {
  name: 'test',
  summary: 'run the requests of .http files as tests (scripts, ?? assertions); JUnit XML for CI',
  usage: USAGE,
  async run(argv, io) {
    const flags = parseFlags(argv, FLAGS);
    if (flags.switches.has('help')) {
      io.stdout.write(USAGE);
      return 0;
    }
    const dialect = parseDialect(flags.values.get('dialect'));
    const vars = parseVars(flags.lists.get('var'));
    const timeoutMs = positiveMs('timeout', flags.values.get('timeout'));
    const scriptTimeoutMs = positiveMs('script-timeout', flags.values.get('script-timeout'));
    const abort = new AbortController();
    void io.interrupted.then(() => abort.abort());
    const get = (k: string) => flags.values.get(k);
    return runHttpTests(
      {
        paths: flags.positionals,
        ...(get('env') !== undefined ? { env: get('env') } : {}),
        ...(vars ? { vars } : {}),
        ...(dialect ? { dialect } : {}),
        ...(get('junit') !== undefined ? { junit: get('junit') } : {}),
        ...(get('filter') !== undefined ? { filter: get('filter') } : {}),
        ...(flags.switches.has('bail') ? { bail: true } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(scriptTimeoutMs !== undefined ? { scriptTimeoutMs } : {}),
        signal: abort.signal,
      },
      io,
    );
  },
};
