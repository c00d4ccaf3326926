// The only module that knows about @vscode/webview-ui-toolkit. The toolkit is deprecated and
// unmaintained upstream; replacing it (with plain elements styled by media/webview.css, or another
// library) means changing this file only: the views ask for a button, a progress ring or a divider
// here and never write `vscode-*` tags themselves.
//
// CSP finding (checked with webview/dev/check.mjs under the exact CSP the host sends):
// TODO fill in after the measurement.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDivider, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';
import { custom, type ElementProps } from './dom';

let registered = false;

/** Defines the custom elements this extension uses (button, divider, progress ring) once. */
export function registerToolkit(): void {
  if (!registered) {
    registered = true;
    provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDivider(), vsCodeProgressRing());
  }
}

export interface ButtonOptions extends ElementProps {
  /** `primary` for the one main action of a view, `secondary` for the others, `icon` for a bare glyph. */
  appearance?: 'primary' | 'secondary' | 'icon';
  /** What screen readers say when the visible label is not enough. */
  ariaLabel?: string;
  title?: string;
}

/** A VS Code styled button; listen to `click` on it (it is a real focusable button for keyboard users). */
export function button(label: string, onClick: (event: MouseEvent) => void, options: ButtonOptions = {}): HTMLElement {
  registerToolkit();
  const element = custom('vscode-button', {
    ...options,
    attrs: { ...options.attrs, appearance: options.appearance ?? 'secondary', 'aria-label': options.ariaLabel, title: options.title },
  }, label);
  element.addEventListener('click', onClick);
  return element;
}

/** Changes a button's text (e.g. Pause ↔ Resume) without recreating it, so it keeps the focus. */
export function setButtonLabel(element: HTMLElement, label: string): void {
  if (element.textContent !== label) {
    element.textContent = label;
  }
}

/** An indeterminate spinner for "waiting" states. */
export function progressRing(props: ElementProps = {}): HTMLElement {
  registerToolkit();
  return custom('vscode-progress-ring', { ...props, attrs: { ...props.attrs, 'aria-label': props.attrs?.['aria-label'] ?? 'Loading' } });
}

/** A horizontal rule in the theme's divider colour. */
export function divider(props: ElementProps = {}): HTMLElement {
  registerToolkit();
  return custom('vscode-divider', { ...props, attrs: { ...props.attrs, role: 'separator' } });
}
