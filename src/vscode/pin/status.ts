import * as vscode from 'vscode';
import { pinDetails, pinLabel, type PinInfo } from '../../core/pin/pinText';

/** What a folder's pin item shows: the pin, the lack of one (where it matters), or nothing. */
export type PinView =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'pinned';
      readonly info: PinInfo;
      readonly file: string;
      readonly staleAfterDays: number;
    }
  | { readonly kind: 'unpinned' }
  | { readonly kind: 'invalid'; readonly message: string };

export interface PinStatus {
  readonly text: string;
  readonly tooltip: string;
  /** Older than `nixShell.pin.staleAfterDays`: shown in the warning colour. */
  readonly stale: boolean;
}

/** The item's text, tooltip and colour, as data (the API reports the same). */
export function pinStatus(view: PinView): PinStatus | undefined {
  switch (view.kind) {
    case 'none':
      return undefined;
    case 'invalid':
      return {
        text: '$(pin) nixpkgs: invalid lock',
        tooltip: `nixpkgs.lock.json: ${view.message}\nClick for the pin actions.`,
        stale: true,
      };
    case 'unpinned':
      return {
        text: '$(pin) nixpkgs: unpinned (channel)',
        tooltip:
          'This environment uses <nixpkgs> from your channels or NIX_PATH, which differ between machines and change on their own. Click to pin nixpkgs for this project.',
        stale: false,
      };
    case 'pinned': {
      const { info, file, staleAfterDays } = view;
      const stale = info.date !== '' && info.ageDays > staleAfterDays;
      const age = stale
        ? [
            `The pin is ${info.ageDays} days old, more than nixShell.pin.staleAfterDays (${staleAfterDays}).`,
          ]
        : [];
      return {
        text: `$(pin) ${pinLabel(info)}`,
        tooltip: [...pinDetails(info, file).slice(1), ...age, 'Click for the pin actions.'].join(
          '\n',
        ),
        stale,
      };
    }
  }
}

/** A folder's second status bar item, right of its environment item. */
export class PinStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private current: PinStatus | undefined;

  constructor(private readonly folder: vscode.WorkspaceFolder) {
    this.item = vscode.window.createStatusBarItem(
      `nixShell.pin.${folder.uri.toString()}`,
      vscode.StatusBarAlignment.Left,
      59.9,
    );
    this.item.name = `nixpkgs pin (${folder.name})`;
  }

  render(view: PinView): void {
    this.current = pinStatus(view);
    if (!this.current) {
      this.item.hide();
      return;
    }
    this.item.text = this.current.text;
    this.item.tooltip = this.current.tooltip;
    this.item.backgroundColor = this.current.stale
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
    this.item.command = {
      title: 'nixpkgs pin',
      command: view.kind === 'unpinned' ? 'nixShell.pin' : 'nixShell.pinActions',
      arguments: [this.folder.uri],
    };
    this.item.show();
  }

  get status(): PinStatus | undefined {
    return this.current;
  }

  dispose(): void {
    this.item.dispose();
  }
}
