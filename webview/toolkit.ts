// The only module that knows about @vscode/webview-ui-toolkit. The toolkit is deprecated and
// unmaintained upstream; replacing it (with plain elements styled by media/webview.css, or another
// library) means changing this file only: the views ask for a button or a progress ring
// here and never write `vscode-*` tags themselves.
//
// CSP findings (Chromium 156 under the exact CSP of src/webviewHtml.ts, the webview tests in
// test/webview/, violations caught as securitypolicyviolation events and traced to the bundle code):
// 1. style-src-elem, every page that loads the toolkit: @microsoft/fast-web-utilities
//    `canUseFocusVisible()` appends an EMPTY <style> to <head> to test whether `:focus-visible`
//    parses (with a nonce only if the page has <meta property="csp-nonce">). Blocked, so FAST falls
//    back to `:focus` and a toolkit button would keep its focus ring after a mouse click. Nothing
//    else depends on it; media/webview.css removes the ring for non-keyboard focus with
//    `vscode-button::part(control):focus:not(:focus-visible)`. The console error goes away if the
//    host adds the hash of the empty string, 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
//    to style-src (it admits only empty <style> elements; checked: FAST then uses :focus-visible).
// 2. style-src-attr: vscode-badge's template has `style="${…}"`, reported when FAST parses the
//    template; the binding sets nothing unless fill/color are given. Not in our bundles: the badge
//    is not registered, views use a CSS `.pill` instead.
// uPlot sets positions and colours through CSSOM (element.style.x = …), which CSP allows; FAST's
// component styles are constructable stylesheets (adoptedStyleSheets), also allowed. The data grid
// sets its columns through CSSOM too (no violation when tried).
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';
import { custom, type ElementProps } from './dom';

let registered = false;

/** Defines the custom elements this extension uses (button, progress ring) once. */
export function registerToolkit(): void {
  if (!registered) {
    registered = true;
    provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeProgressRing());
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
  const element = custom(
    'vscode-button',
    {
      ...options,
      attrs: {
        ...options.attrs,
        appearance: options.appearance ?? 'secondary',
        'aria-label': options.ariaLabel,
        title: options.title,
      },
    },
    label,
  );
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
  return custom('vscode-progress-ring', {
    ...props,
    attrs: { ...props.attrs, 'aria-label': props.attrs?.['aria-label'] ?? 'Loading' },
  });
}
