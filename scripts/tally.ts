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

export class Tally {
  private readonly total: Counts = { passed: 0, failed: 0, skipped: 0 };
  ok = true;

  /** Adds one run; a run that failed without a failing test counts as one failure. */
  add(output: string, exitCode: number | undefined): void {
    const counts = countsIn(output);
    if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
    this.total.passed += counts.passed;
    this.total.failed += counts.failed;
    this.total.skipped += counts.skipped;
    this.ok &&= exitCode === 0;
  }

  line(): string {
    const failed = !this.ok && this.total.failed === 0 ? 1 : this.total.failed;
    return `${this.total.passed} passed, ${failed} failed, ${this.total.skipped} skipped`;
  }
}
