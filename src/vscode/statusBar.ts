import * as vscode from 'vscode';
import { describeCounts, type ProgressCounts } from '../core/nix/log';
import type { CommandId } from './tables/commands';

/** What one folder's status bar item shows; derived from the session state and trust. */
export type StatusView =
  | { readonly kind: 'off' }
  /** Found and not entered (not yet, "Not now", "Never", or left): a click enters it. */
  | { readonly kind: 'available'; readonly label: string }
  | { readonly kind: 'limited'; readonly label: string }
  | {
      readonly kind: 'loading';
      readonly label: string;
      readonly progress: string;
      /** Builds and downloads finished so far, said in the item itself: the long waits. */
      readonly counts?: ProgressCounts;
    }
  | {
      readonly kind: 'active';
      readonly label: string;
      readonly detail: string;
      readonly changes: number;
    }
  | { readonly kind: 'stale'; readonly label: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly label: string; readonly message: string }
  /** The direnv extension manages the folder's environment; this extension applies nothing. */
  | { readonly kind: 'direnv'; readonly label: string };

type Kind = Exclude<StatusView['kind'], 'off'>;

interface StatusStyle<V> {
  readonly icon: string;
  readonly command: CommandId | 'workbench.trust.manage';
  readonly background?: string;
  readonly tooltip: (view: V) => string;
}

type StatusTable = { readonly [K in Kind]: StatusStyle<Extract<StatusView, { kind: K }>> };

/** The states as data: icon, click, colour and tooltip of each. */
export const statusTable: StatusTable = {
  available: {
    icon: '$(circle-large-outline)',
    command: 'nixShell.enter',
    tooltip: (v) => `Found ${v.label}, not entered. Click to enter its Nix environment.`,
  },
  limited: {
    icon: '$(shield)',
    command: 'workbench.trust.manage',
    tooltip: (v) => `Found ${v.label}. Trust the workspace to enter its Nix environment.`,
  },
  loading: {
    icon: '$(sync~spin)',
    command: 'nixShell.actions',
    tooltip: (v) => `Nix: ${v.progress}… Click to cancel or show the log.`,
  },
  active: {
    icon: '$(package)',
    command: 'nixShell.actions',
    tooltip: (v) => `${v.detail}\n\nClick for actions.`,
  },
  stale: {
    icon: '$(history)',
    command: 'nixShell.reload',
    background: 'statusBarItem.warningBackground',
    tooltip: (v) =>
      `The environment is stale: ${v.reason}. The last good one stays in force. Click to reload.`,
  },
  direnv: {
    icon: '$(circle-slash)',
    command: 'nixShell.chooseOwner',
    tooltip: (v) =>
      `direnv's extension manages this folder's environment (${v.label}); Nix Shell applies nothing. Click to change who manages it.`,
  },
  failed: {
    icon: '$(error)',
    command: 'nixShell.actions',
    background: 'statusBarItem.errorBackground',
    tooltip: (v) => `Nix failed: ${v.message}\n\nClick for the error and the log.`,
  },
};

export function statusText(view: StatusView, folderName: string | undefined, suffix = ''): string {
  if (view.kind === 'off') return '';
  const where = folderName ? `Nix (${folderName})` : 'Nix';
  const count = view.kind === 'active' ? ` (${view.changes})` : '';
  const stale = view.kind === 'stale' ? ' (stale)' : '';
  const counted =
    view.kind === 'loading' && view.counts ? ` (${describeCounts(view.counts, true)})` : '';
  const label = view.kind === 'direnv' ? 'managed by direnv' : view.label;
  return `${statusTable[view.kind].icon} ${where}: ${label}${count}${stale}${counted}${suffix}`;
}

/** One status bar item for one workspace folder. */
export class FolderStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private current: StatusView = { kind: 'off' };

  constructor(
    private readonly folder: vscode.WorkspaceFolder,
    private readonly multiRoot: () => boolean,
  ) {
    this.item = vscode.window.createStatusBarItem(
      `nixShell.status.${folder.uri.toString()}`,
      vscode.StatusBarAlignment.Left,
      // Left of the Problems item; the pin item sits right next to this one.
      60,
    );
    this.item.name = `Nix Shell (${folder.name})`;
  }

  render(view: StatusView, suffix = ''): void {
    this.current = view;
    if (view.kind === 'off') {
      this.item.hide();
      return;
    }
    // TypeScript cannot correlate the table's key with the view's kind on its own.
    const style = statusTable[view.kind] as StatusStyle<typeof view>;
    this.item.text = statusText(view, this.multiRoot() ? this.folder.name : undefined, suffix);
    this.item.tooltip = style.tooltip(view);
    this.item.backgroundColor = style.background
      ? new vscode.ThemeColor(style.background)
      : undefined;
    this.item.command = { title: 'Nix', command: style.command, arguments: [this.folder.uri] };
    this.item.show();
  }

  get view(): StatusView {
    return this.current;
  }

  get text(): string {
    return this.current.kind === 'off' ? '' : this.item.text;
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    if (this.current.kind === 'off' || tooltip === undefined) return '';
    return typeof tooltip === 'string' ? tooltip : tooltip.value;
  }

  dispose(): void {
    this.item.dispose();
  }
}
