import type { SourceLocation } from '../errors';

/**
 * Reads nix's `--log-format internal-json` stderr: one `@nix {json}` object per line, plus
 * plain lines from builders and hooks. It extracts what the engine needs: the files evaluation
 * read (cache inputs), human-readable progress, and messages with their source positions.
 */

/** Nix's verbosity levels (src/libutil/logging.hh). */
export const Verbosity = {
  Error: 0,
  Warn: 1,
  Notice: 2,
  Info: 3,
  Talkative: 4,
  Chatty: 5,
  Debug: 6,
  Vomit: 7,
} as const;

/** Nix's activity and result types, as internal-json numbers them. */
const ActivityType = {
  FileTransfer: 101,
  Realise: 102,
  CopyPaths: 103,
  Builds: 104,
  Build: 105,
  Substitute: 108,
  QueryPathInfo: 109,
} as const;

const ResultType = {
  BuildLogLine: 101,
  Progress: 105,
  SetExpected: 106,
} as const;

export type NixLogEvent =
  | {
      readonly type: 'message';
      readonly level: number;
      readonly text: string;
      /** The message alone, without trace or position (nix's `raw_msg`), where nix gives it. */
      readonly summary?: string;
      readonly location?: SourceLocation;
    }
  | { readonly type: 'read-file'; readonly path: string }
  /**
   * Where a derivation's path came from, told at -vvv: evaluated, or nix's evaluation cache
   * (and then the files that evaluation read are not reported).
   */
  | { readonly type: 'derivation-path'; readonly from: 'evaluation' | 'eval-cache' }
  /** Nix asked a substituter about a store path (a dry run's fetches come from the last asked). */
  | { readonly type: 'query-path-info'; readonly path: string; readonly store: string }
  | { readonly type: 'progress'; readonly text: string; readonly counts: ProgressCounts };

/**
 * Builds and downloads finished out of those nix expects so far (it learns of more as it goes);
 * downloads only once one started: nix expects to try a substituter for paths it then builds.
 */
export interface ProgressCounts {
  readonly built: number;
  readonly builds: number;
  readonly downloaded: number;
  readonly downloads: number;
}

/**
 * "building 2/5 derivations, downloading 3/12 paths" ("building 2/5, downloading 3/12" short),
 * or '' when nothing is built nor fetched.
 */
export function describeCounts(counts: ProgressCounts, short = false): string {
  const parts: string[] = [];
  const noun = (word: string) => (short ? '' : ` ${word}`);
  if (counts.builds > 0) {
    parts.push(`building ${counts.built}/${counts.builds}${noun('derivations')}`);
  }
  if (counts.downloads > 0) {
    parts.push(`downloading ${counts.downloaded}/${counts.downloads}${noun('paths')}`);
  }
  return parts.join(', ');
}

interface JsonLine {
  action?: string;
  id?: number;
  level?: number;
  type?: number;
  msg?: string;
  raw_msg?: string;
  text?: string;
  fields?: unknown[];
  file?: string | null;
  line?: number | null;
  column?: number | null;
}

/** The fields of a log record, each kept only when it has the type nix gives it. */
function jsonLine(value: unknown): JsonLine | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const text = (name: string) => (typeof record[name] === 'string' ? record[name] : undefined);
  const number = (name: string) => {
    const field = record[name];
    return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
  };
  const fields = record['fields'];
  return {
    action: text('action'),
    id: number('id'),
    level: number('level'),
    type: number('type'),
    msg: text('msg'),
    raw_msg: text('raw_msg'),
    text: text('text'),
    fields: Array.isArray(fields) ? (fields as unknown[]) : undefined,
    file: text('file'),
    line: number('line'),
    column: number('column'),
  };
}

interface Activity {
  readonly type: number;
  readonly text: string;
  done: number;
  expected: number;
  running: number;
}

const prefix = '@nix ';
// Matches nix's `evaluating file '…'` and `copied source '…' -> '…'` (printed at -v / -vv);
// Nix ≥2.35 appends ` (hash '…')` to the latter.
const evaluatingFile = /^evaluating file '(.+)'$/;
const copiedSource = /^copied source '(.+?)' -> '[^']+'(?: \(hash '[^']+'\))?$/;
// Where nix's evaluation cache says an attribute came from (at -vvv): `drvPath`'s tells whether
// the derivation was evaluated. Nix 2.8 leaves the path of an uncached one unquoted.
const drvPathOrigin =
  /^(?:evaluating (uncached) attribute (?:'(?:.+\.)?drvPath'|(?:[^']+\.)?drvPath)|using (cached) string attribute '(?:.+\.)?drvPath')$/;
// ANSI colour sequences nix puts into its messages.
// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ansi, '');
}

/** Parses a stream of stderr lines, one `push` per line, emitting events as they come. */
export class NixLogParser {
  private readonly activities = new Map<number, Activity>();
  private lastProgress = '';

  constructor(private readonly emit: (event: NixLogEvent) => void) {}

  push(line: string): void {
    if (!line.startsWith(prefix)) {
      if (line.trim() !== '') this.emit({ type: 'message', level: Verbosity.Info, text: line });
      return;
    }
    let entry: JsonLine | undefined;
    try {
      entry = jsonLine(JSON.parse(line.slice(prefix.length)));
    } catch {
      entry = undefined;
    }
    if (!entry) {
      // Not a record nix documents: keep it for the log as it came.
      this.emit({ type: 'message', level: Verbosity.Info, text: line });
      return;
    }
    switch (entry.action) {
      case 'msg':
        this.onMessage(entry);
        break;
      case 'start':
        this.onStart(entry);
        break;
      case 'stop':
        if (entry.id !== undefined) this.activities.delete(entry.id);
        this.reportProgress();
        break;
      case 'result':
        this.onResult(entry);
        break;
      default:
        break;
    }
  }

  private onMessage(entry: JsonLine): void {
    const text = stripAnsi(entry.msg ?? '');
    const evaluated = evaluatingFile.exec(text);
    if (evaluated?.[1]) {
      this.emit({ type: 'read-file', path: evaluated[1] });
      return;
    }
    const copied = copiedSource.exec(text);
    if (copied?.[1]) {
      this.emit({ type: 'read-file', path: copied[1] });
      return;
    }
    const origin = drvPathOrigin.exec(text);
    if (origin) {
      this.emit({ type: 'derivation-path', from: origin[1] ? 'evaluation' : 'eval-cache' });
      return;
    }
    const location =
      entry.file && entry.line
        ? { file: withoutPosition(entry.file), line: entry.line, column: entry.column ?? 1 }
        : undefined;
    const summary = entry.raw_msg ? stripAnsi(entry.raw_msg).trim() : '';
    this.emit({
      type: 'message',
      level: entry.level ?? Verbosity.Info,
      text,
      ...(summary ? { summary } : {}),
      ...(location ? { location } : {}),
    });
  }

  private onStart(entry: JsonLine): void {
    if (entry.id === undefined || entry.type === undefined) return;
    const [queried, store] = entry.fields ?? [];
    if (entry.type === ActivityType.QueryPathInfo && typeof queried === 'string') {
      if (typeof store === 'string') this.emit({ type: 'query-path-info', path: queried, store });
    }
    this.activities.set(entry.id, {
      type: entry.type,
      text: stripAnsi(entry.text ?? ''),
      done: 0,
      expected: 0,
      running: 0,
    });
    if (entry.text && (entry.level ?? Verbosity.Info) <= Verbosity.Info) {
      this.emit({ type: 'message', level: Verbosity.Info, text: stripAnsi(entry.text) });
    }
    this.reportProgress();
  }

  private onResult(entry: JsonLine): void {
    const activity = entry.id === undefined ? undefined : this.activities.get(entry.id);
    const fields = entry.fields ?? [];
    if (entry.type === ResultType.BuildLogLine && typeof fields[0] === 'string') {
      this.emit({ type: 'message', level: Verbosity.Info, text: stripAnsi(fields[0]) });
      return;
    }
    if (!activity) return;
    if (entry.type === ResultType.Progress) {
      activity.done = Number(fields[0]) || 0;
      activity.expected = Number(fields[1]) || 0;
      activity.running = Number(fields[2]) || 0;
      this.reportProgress();
    } else if (entry.type === ResultType.SetExpected) {
      activity.expected = Number(fields[1]) || 0;
      this.reportProgress();
    }
  }

  private reportProgress(): void {
    const counts = this.counts();
    const text = this.describe(counts);
    if (text !== this.lastProgress) {
      this.lastProgress = text;
      this.emit({ type: 'progress', text, counts });
    }
  }

  private counts(): ProgressCounts {
    const all = [...this.activities.values()];
    const builds = all.find((a) => a.type === ActivityType.Builds && a.expected > 0);
    const copies = all.find(
      (a) => a.type === ActivityType.CopyPaths && a.expected > 0 && a.done + a.running > 0,
    );
    return {
      built: builds?.done ?? 0,
      builds: builds?.expected ?? 0,
      downloaded: copies?.done ?? 0,
      downloads: copies?.expected ?? 0,
    };
  }

  /** One line for the progress notification: what nix is doing right now. */
  private describe(counts: ProgressCounts): string {
    const all = [...this.activities.values()];
    const of = (type: number) => all.filter((a) => a.type === type);
    const downloads = of(ActivityType.FileTransfer);
    const current = of(ActivityType.Build).at(-1) ?? of(ActivityType.Substitute).at(-1);
    const parts: string[] = [];
    const counted = describeCounts(counts);
    if (counted) parts.push(counted);
    if (counts.downloads === 0 && downloads.length > 0) {
      parts.push(`downloading ${downloads.length} files`);
    }
    if (parts.length === 0) return current ? shortActivity(current.text) : 'evaluating';
    if (current) parts.push(shortActivity(current.text));
    return parts.join(', ');
  }
}

/** `building '/nix/store/abc…-hello-2.12.drv'` → `building hello-2.12`. */
function shortActivity(text: string): string {
  return text.replace(/'\/nix\/store\/[a-z0-9]{32}-([^']+?)(\.drv)?'/g, '$1');
}

/** Nix ≥2.20 writes a JSON message's `file` as `path:line:col`; the path alone is the file. */
function withoutPosition(file: string): string {
  return file.replace(/:\d+(?::\d+)?$/, '');
}

// `at /path/file.nix:12:5:` as nix prints positions in error traces, one to a line: the path
// may hold spaces, or be an origin (`«github:o/r/rev»/x.nix`, Nix ≥2.32 and Determinate).
const positionInText = /\bat ((?:\/|«)[^\n]*?):(\d+):(\d+):?[ \t]*$/gm;
// An origin that is a local checkout or folder: `«git+file:///repo?ref=…»`, `«path:/dir?…»`.
const localOrigin = /^«(?:git\+file:\/\/|path:)(\/[^?»]*)(?:\?[^»]*)?»(\/.*)$/;
// A line that carries an error's message: nix ≥2.13 starts with a bare `error:` and indents
// the one with the message, after the trace.
const errorLine = /^\s*error:[ \t]*(.*)$/;

/**
 * The positions an error names, as local paths, innermost first: the error's own position
 * (the one after its last `error:` line), then the trace from there outwards. Nix 2.8 prints
 * the error first and the trace after it; nix ≥2.13 the trace first, outermost first.
 */
export function locationsInText(text: string): SourceLocation[] {
  const found: { index: number; location: SourceLocation }[] = [];
  const plain = stripAnsi(text);
  for (const match of plain.matchAll(positionInText)) {
    const [, origin, line, column] = match;
    const file = origin ? localFile(origin) : undefined;
    if (file && line && column) {
      found.push({
        index: match.index,
        location: { file, line: Number(line), column: Number(column) },
      });
    }
  }
  const errorAt = lastErrorIndex(plain);
  const after = found.filter((f) => f.index >= errorAt);
  const before = found.filter((f) => f.index < errorAt).reverse();
  return [...after, ...before].map((f) => f.location);
}

function localFile(origin: string): string | undefined {
  if (origin.startsWith('/')) return origin;
  const local = localOrigin.exec(origin);
  return local?.[1] && local[2] ? `${local[1].replace(/\/$/, '')}${local[2]}` : undefined;
}

/** Where the last `error:` line with a message starts in the first error (0 if none). */
function lastErrorIndex(text: string): number {
  const first = firstError(text);
  let index = 0;
  let offset = first.start;
  for (const line of first.lines) {
    if (errorLine.exec(line)?.[1]) index = offset;
    offset += line.length + 1;
  }
  return index;
}

/**
 * The first error in nix's stderr: from a line starting with `error:` to the next one (a new
 * top-level error: nix indents the `error:` lines inside a trace).
 */
function firstError(text: string): { start: number; lines: string[] } {
  const lines = text.split('\n');
  const starts = lines.flatMap((line, i) => (line.startsWith('error:') ? [i] : []));
  const from = starts[0] ?? 0;
  const to = starts[1] ?? lines.length;
  const start = lines.slice(0, from).reduce((sum, line) => sum + line.length + 1, 0);
  return { start, lines: lines.slice(from, to) };
}

/**
 * The one-line message of the first error in nix's output: the last `error:` line of that
 * error (nix ≥2.13 puts the trace between a bare `error:` and the message), else the last line.
 */
export function errorSummary(text: string): string {
  const { lines } = firstError(stripAnsi(text));
  const messages = lines.flatMap((line) => errorLine.exec(line)?.[1]?.trim() || []);
  const nonEmpty = stripAnsi(text)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return messages.at(-1) ?? nonEmpty.at(-1) ?? 'nix failed';
}
