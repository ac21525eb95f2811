// How a pin reads: the status bar's label, the tooltip's and `pin show`'s lines. Apart from
// the code that reads locks (and their schemas), so the status bar can show a pin without it.

/** What the status bar, `pin show` and the tooltip display about a folder's nixpkgs. */
export interface PinInfo {
  source: 'lock' | 'flake.lock';
  release?: string;
  rev: string;
  shortRev: string;
  /** Unix seconds; 0 when the pin does not record it (a flake tarball input locked by nix < 2.17). */
  lastModified: number;
  /** YYYY-MM-DD (UTC); empty when lastModified is unknown. */
  date: string;
  /** Whole days since lastModified; 0 when unknown, so an unknown age never looks stale. */
  ageDays: number;
  /** What is followed, as a flake reference: `github:NixOS/nixpkgs/nixos-24.05`. */
  description: string;
  url?: string;
}

/** The status bar text: `nixpkgs 24.05 · ddd7782`. */
export function pinLabel(info: PinInfo): string {
  const head = info.release ? `nixpkgs ${info.release}` : 'nixpkgs';
  return info.shortRev ? `${head} · ${info.shortRev}` : head;
}

function summary(info: PinInfo): string {
  return [info.release, info.date, info.shortRev].filter((part) => part).join(' · ');
}

/** `24.05 · 2024-06-15 · ddd7782 → 24.05 · 2024-07-01 · 1a2b3c4`. */
export function describeChange(before: PinInfo, after: PinInfo): string {
  return `${summary(before)} → ${summary(after)}`;
}

/** `pin show` as text: the label, then one `name: value` line per fact. */
export function pinDetails(info: PinInfo, file: string): string[] {
  const age = info.date
    ? `${info.date} (${info.ageDays === 1 ? '1 day' : `${info.ageDays} days`} ago)`
    : 'unknown';
  return [
    pinLabel(info),
    `source: ${file}`,
    `follows: ${info.description}`,
    ...(info.release ? [`release: ${info.release}`] : []),
    `revision: ${info.rev || 'unknown'}`,
    `date: ${age}`,
    ...(info.url ? [`url: ${info.url}`] : []),
  ];
}
