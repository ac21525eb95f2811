import { Verbosity, locationsInText, stripAnsi } from '../../core/nix/log';

/**
 * Reads the errors of `nix-instantiate --parse --log-format internal-json FILE` from its stderr.
 * No `vscode` here: it is unit-tested on nix's real output.
 */

/** A syntax (or binding) error at a 1-based line and column, as nix names them. */
export interface ParseProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

interface JsonMessage {
  action?: unknown;
  level?: unknown;
  msg?: unknown;
  raw_msg?: unknown;
  line?: unknown;
  column?: unknown;
}

const jsonPrefix = '@nix ';
// `at /file.nix:3:7:` on a line of its own: where the error is. A position inside the message
// (`attribute 'a' already defined at /f.nix:1:3`) points elsewhere.
const ownPositionLine = /^\s*at (\/\S+?):(\d+):(\d+):?\s*$/m;

/**
 * The errors nix reported, each with the position nix names; an error without a position
 * (the file vanished) is left out: it is not about the text. Plain-text stderr (a nix without
 * internal-json, or a wrapper that reformats) is read too.
 */
export function parseProblems(stderrLines: readonly string[]): ParseProblem[] {
  const problems: ParseProblem[] = [];
  const plain: string[] = [];
  for (const line of stderrLines) {
    if (!line.startsWith(jsonPrefix)) {
      plain.push(line);
      continue;
    }
    const problem = fromJson(line.slice(jsonPrefix.length));
    if (problem) problems.push(problem);
  }
  return problems.length > 0 ? problems : fromText(plain.join('\n'));
}

function fromJson(text: string): ParseProblem | undefined {
  let entry: JsonMessage;
  try {
    entry = JSON.parse(text) as JsonMessage;
  } catch {
    return undefined;
  }
  if (entry.action !== 'msg' || entry.level !== Verbosity.Error) return undefined;
  const full = typeof entry.msg === 'string' ? stripAnsi(entry.msg) : '';
  // Nix 2.8 logs its warnings at the error level too.
  if (!full.startsWith('error:')) return undefined;
  const raw = typeof entry.raw_msg === 'string' ? stripAnsi(entry.raw_msg) : undefined;
  const position =
    typeof entry.line === 'number' && typeof entry.column === 'number' && entry.line > 0
      ? { line: entry.line, column: Math.max(entry.column, 1) }
      : positionIn(full);
  return position ? { message: raw ?? firstLine(full, position), ...position } : undefined;
}

function fromText(text: string): ParseProblem[] {
  const clean = stripAnsi(text);
  const start = clean.search(/^error: /m);
  if (start < 0) return [];
  const error = clean.slice(start);
  const position = positionIn(error);
  return position ? [{ message: firstLine(error, position), ...position }] : [];
}

/** The error's own position: the `at` line of its own, else the first position named. */
function positionIn(text: string): { line: number; column: number } | undefined {
  const own = ownPositionLine.exec(text);
  if (own) return { line: Number(own[2]), column: Math.max(Number(own[3]), 1) };
  const first = locationsInText(text)[0];
  return first ? { line: first.line, column: Math.max(first.column, 1) } : undefined;
}

/**
 * The message without `error: `, and without the error's own position where older nix appends
 * it (`syntax error, unexpected ';', at /f.nix:3:7`); another position (`already defined at …`)
 * is part of the message.
 */
function firstLine(text: string, position: { line: number; column: number }): string {
  const line = (text.split('\n')[0] ?? '').replace(/^error: /, '');
  const own = new RegExp(`,? at /\\S+:${position.line}:${position.column}:?$`);
  return line.replace(own, '').trim();
}
