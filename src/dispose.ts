import * as vscode from 'vscode';

/** Holds disposables and disposes them together, newest first. */
export class DisposableStore implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];
  private disposed = false;

  add<T extends vscode.Disposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.push(item);
    }
    return item;
  }

  dispose(): void {
    this.disposed = true;
    while (this.items.length > 0) {
      this.items.pop()?.dispose();
    }
  }
}

/**
 * Holds at most one disposable: setting another disposes the one before (vscode-hexeditor's
 * MutableDisposable). For a subscription that comes and goes with visibility or focus.
 */
export class MutableDisposable<T extends vscode.Disposable = vscode.Disposable> implements vscode.Disposable {
  private current: T | undefined;

  get value(): T | undefined {
    return this.current;
  }

  set value(next: T | undefined) {
    if (this.current !== next) {
      this.current?.dispose();
      this.current = next;
    }
  }

  clear(): void {
    this.value = undefined;
  }

  dispose(): void {
    this.clear();
  }
}

/** Base for every feature: it owns its listeners and timers and releases them on dispose. */
export abstract class Disposable implements vscode.Disposable {
  private readonly store = new DisposableStore();

  protected register<T extends vscode.Disposable>(item: T): T {
    return this.store.add(item);
  }

  dispose(): void {
    this.store.dispose();
  }
}
