import { describeCounts, type ProgressCounts } from '../core/nix/log';

/**
 * The CLI's progress while nix builds or downloads, on stderr (stdout is the environment). On
 * a terminal one line, rewritten in place with what nix is doing; elsewhere (a log, direnv) a
 * line when the first starts and each time a build or download finishes, as nix itself prints one per build there.
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): {
  report: (text: string, counts?: ProgressCounts) => void;
  end: () => void;
} {
  let shown = false;
  let lastDone: string | undefined;
  return {
    report(text, counts) {
      if (stream.isTTY) {
        const line = `nixshell: ${text}`.slice(0, Math.max(20, (stream.columns || 80) - 1));
        stream.write(`\r\u001b[K${line}`);
        shown = true;
        return;
      }
      const counted = counts ? describeCounts(counts) : '';
      // Nix revises what it expects as it goes: a line when something finished, not each time.
      const done = counts ? `${counts.built}/${counts.downloaded}` : '';
      if (counted === '' || done === lastDone) return;
      lastDone = done;
      stream.write(`nixshell: ${counted}\n`);
    },
    end() {
      if (shown) stream.write('\r\u001b[K');
      shown = false;
    },
  };
}
