// Test counts across several runs (mocha's, the harness's), summed into the one closing line
// CI reads: "N passed, N failed, N skipped".

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Mocha's spec summary ("12 passing", "1 failing", "2 pending"), or a run's own closing line. */
export function countsIn(output: string): Counts {
  const own = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(output.trim());
  if (own) return { passed: Number(own[1]), failed: Number(own[2]), skipped: Number(own[3]) };
  const number = (word: string) =>
    Number(new RegExp(`^\\s*(\\d+) ${word}`, 'm').exec(output)?.[1] ?? 0);
  return { passed: number('passing'), failed: number('failing'), skipped: number('pending') };
}

/** The lines that name what failed: mocha's "N failing" sections and the harness's "✗" lines,
 * so that the end of a long run says what went wrong without scrolling back. Past its first
 * lines, a failure keeps only the changed lines of its assertion diff ("+ …", "- …"): in a long
 * diff, they are the ones that say why. */
export function failuresIn(output: string, maxLinesEach = 12): string[] {
  const found: string[] = [];
  let inFailingSection = false;
  let block: string[] | undefined;
  const close = () => {
    if (block) found.push(block.join('\n').trimEnd());
    block = undefined;
  };
  for (const line of output.split('\n')) {
    if (/^\s*\d+ failing\s*$/.test(line)) {
      inFailingSection = true;
    } else if (/^\s*✗ /.test(line)) {
      close();
      found.push(line.trim());
    } else if (inFailingSection && /^\s+\d+\) \S/.test(line)) {
      close();
      block = [line.trimStart()];
    } else if (/^\s*\d+ passing|^\d+ passed, \d+ failed|^\[\d/.test(line)) {
      // The next run begins: its listing marks failures inline, before their details.
      close();
      inFailingSection = false;
    } else if (block && block.length < maxLinesEach) {
      block.push(line);
    } else if (block && block.length < 2 * maxLinesEach && /^\s*[+-] /.test(line)) {
      block.push(line);
    }
  }
  close();
  return found;
}

export class Tally {
  private readonly total: Counts = { passed: 0, failed: 0, skipped: 0 };
  private readonly failures: string[] = [];
  ok = true;

  /** Adds one run; a run that failed without a failing test counts as one failure. */
  add(output: string, exitCode: number | undefined, name = ''): void {
    const counts = countsIn(output);
    for (const failure of failuresIn(output))
      this.failures.push(name ? `[${name}] ${failure}` : failure);
    if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
    this.total.passed += counts.passed;
    this.total.failed += counts.failed;
    this.total.skipped += counts.skipped;
    this.ok &&= exitCode === 0;
  }

  /** What failed, for the end of the run; empty when nothing did. */
  summary(): string {
    return this.failures.length === 0 ? '' : `What failed:\n${this.failures.join('\n\n')}\n`;
  }

  line(): string {
    const failed = !this.ok && this.total.failed === 0 ? 1 : this.total.failed;
    return `${this.total.passed} passed, ${failed} failed, ${this.total.skipped} skipped`;
  }
}
