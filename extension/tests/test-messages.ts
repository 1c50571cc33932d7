// What a failed `.http` test says in VS Code: a TestMessage at the line where
// it failed (a diff of expected and actual when the check compared values),
// with a link that opens the exchange in the playground inspector.
import * as vscode from 'vscode';
import type { TestCaseResult } from '../../server-core/index.js';

export const OPEN_EXCHANGE_COMMAND = 'wireplay.openTestExchange';

/** An item's last result as the run reported it (read by the extension-host tests). */
export interface RecordedResult {
  state: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** The messages as text. */
  messages: string[];
  /** The messages as the Test Explorer renders them (Markdown, with the link to the exchange). */
  markdown?: string[];
  /** 0-based line of the failure's location. */
  line?: number;
  expected?: string;
  actual?: string;
  connectionId?: string;
}

/** A command link that opens the exchange (its connection in the capture) in the inspector. */
export function exchangeLink(connectionId: string): string {
  return `[Open the exchange in the inspector](command:${OPEN_EXCHANGE_COMMAND}?${encodeURIComponent(JSON.stringify([connectionId]))})`;
}

/** What a failed case says, as text. */
export function failureText(c: TestCaseResult): string {
  return `${c.message ?? 'failed'}${c.source ? ` (${c.source})` : ''}`;
}

export function failureMessage(c: TestCaseResult, uri: vscode.Uri, link: string | undefined): vscode.TestMessage {
  const text = failureText(c);
  const md = new vscode.MarkdownString();
  md.appendText(text);
  if (link) md.appendMarkdown(`\n\n${link}`);
  md.isTrusted = { enabledCommands: [OPEN_EXCHANGE_COMMAND] };
  const message = c.expected !== undefined && c.actual !== undefined ? vscode.TestMessage.diff(md, c.expected, c.actual) : new vscode.TestMessage(md);
  const line = c.failureLine ?? c.line;
  message.location = new vscode.Location(uri, new vscode.Range(line, 0, line, 0));
  return message;
}
