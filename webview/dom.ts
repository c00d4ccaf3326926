// Building DOM without HTML strings. Process names and command lines are hostile input, so text
// only ever goes in through text nodes, and attributes through an allowlist that refuses event
// handlers, inline styles and URLs.

export type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  class?: string;
  /** Becomes `data-testid`, the hook UI tests read the page by. */
  testid?: string;
  id?: string;
  /** Other attributes; see `setSafeAttribute`. */
  attrs?: Record<string, string | number | boolean | undefined>;
}

const UNSAFE_ATTRIBUTE = /^(on|style$|src$|srcdoc$|href$|xlink:href$|action$|formaction$)/i;

/** Sets an attribute that cannot run code or apply styles; `false`/`undefined` removes it. */
export function setSafeAttribute(element: Element, name: string, value: string | number | boolean | undefined): void {
  if (UNSAFE_ATTRIBUTE.test(name)) {
    throw new Error(`refusing to set attribute ${name}`);
  }
  if (value === undefined || value === false) {
    element.removeAttribute(name);
  } else {
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

function applyProps(element: Element, props: ElementProps | undefined): void {
  if (!props) {
    return;
  }
  if (props.class) {
    element.setAttribute('class', props.class);
  }
  if (props.testid) {
    element.setAttribute('data-testid', props.testid);
  }
  if (props.id) {
    element.id = props.id;
  }
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    setSafeAttribute(element, name, value);
  }
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element with text children as text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: ElementProps,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyProps(element, props);
  append(element, children);
  return element;
}

/** An element of a custom element (the toolkit's `vscode-button`), built the same way. */
export function custom(tag: `${string}-${string}`, props?: ElementProps, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  applyProps(element, props);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props?: ElementProps,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  applyProps(element, props);
  append(element, children);
  return element;
}

/** Replaces the text of an element, leaving it alone when unchanged (no needless layout or screen-reader noise). */
export function setText(element: Node, text: string): void {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}

/** Replaces all children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let nextId = 0;

/** An id unique in this page, for aria-describedby and friends. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${++nextId}`;
}
