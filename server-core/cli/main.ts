// The `wireplay` CLI: one module per subcommand under commands/, one line each in COMMANDS.
import { serveCommand } from './commands/serve.js';
import { uiCommand } from './commands/ui.js';
import { sendCommand } from './commands/send.js';
import { testCommand } from './commands/test.js';
import { proxyCommand } from './commands/proxy.js';
import { UsageError, type CliIo, type Command } from './command.js';

const COMMANDS: readonly Command[] = [
  serveCommand,
  uiCommand,
  sendCommand,
  testCommand,
  proxyCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: wireplay <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`wireplay <command> --help\` for a command's options.\n`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(name === undefined ? overview() : `wireplay: unknown command ${name}\n\n${overview()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`wireplay ${command.name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    io.stderr.write(`wireplay ${command.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

const interrupted = new Promise<NodeJS.Signals>((resolve) => {
  let received = false;
  const on = (signal: NodeJS.Signals) => {
    // A second signal while closing exits at once.
    if (received) process.exit(130);
    received = true;
    resolve(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
});

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interrupted }).then(
  (code) => {
    process.exitCode = code;
    // Let stdout/stderr flush, then leave even if a stray handle (a watcher, a timer) lingers.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`wireplay: ${String(err)}\n`);
    process.exit(1);
  },
);
