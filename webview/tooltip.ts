// A tooltip that works for mouse, keyboard and screen readers: it opens when its trigger is hovered
// or focused, stays open while the pointer is over it (so its text can be selected), and closes on
// Escape, blur or scroll (a focused trigger keeps it open and moves it along). Screen readers get
// the same text through aria-describedby, set by the caller.
// It is positioned with CSSOM (element.style), which the page's CSP allows, unlike style attributes.

const MARGIN = 8;
const GAP = 6;
const HIDE_DELAY_MS = 120;

let open: { trigger: HTMLElement; tooltip: HTMLElement } | undefined;
let hideTimer: ReturnType<typeof setTimeout> | undefined;
let documentListeners = false;

function cancelHide(): void {
  if (hideTimer !== undefined) {
    clearTimeout(hideTimer);
    hideTimer = undefined;
  }
}

function hide(): void {
  cancelHide();
  if (open) {
    open.tooltip.classList.remove('open');
    open.trigger.removeAttribute('aria-expanded');
    open = undefined;
  }
}

function scheduleHide(): void {
  cancelHide();
  hideTimer = setTimeout(hide, HIDE_DELAY_MS);
}

function position(trigger: HTMLElement, tooltip: HTMLElement): void {
  const anchor = trigger.getBoundingClientRect();
  const width = tooltip.offsetWidth;
  const height = tooltip.offsetHeight;
  const viewportWidth = document.documentElement.clientWidth;
  const viewportHeight = document.documentElement.clientHeight;
  const left = Math.max(MARGIN, Math.min(anchor.left, viewportWidth - width - MARGIN));
  let top = anchor.bottom + GAP;
  if (top + height > viewportHeight - MARGIN && anchor.top - GAP - height >= MARGIN) {
    top = anchor.top - GAP - height;
  }
  tooltip.style.left = `${Math.round(left)}px`;
  tooltip.style.top = `${Math.round(top)}px`;
}

function show(trigger: HTMLElement, tooltip: HTMLElement): void {
  cancelHide();
  if (open?.tooltip === tooltip) {
    return;
  }
  hide();
  tooltip.classList.add('open');
  position(trigger, tooltip);
  open = { trigger, tooltip };
}

function listenOnDocument(): void {
  if (documentListeners) {
    return;
  }
  documentListeners = true;
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && open) {
      hide();
    }
  });
  // Scrolling moves the trigger away from a hovered tooltip: close it. But focusing a label below
  // the fold scrolls it into view, and that must not close the tooltip the focus just opened.
  window.addEventListener(
    'scroll',
    () => (open && document.activeElement === open.trigger ? position(open.trigger, open.tooltip) : hide()),
    { capture: true, passive: true },
  );
  window.addEventListener('resize', () => open && position(open.trigger, open.tooltip));
}

/** Makes `tooltip` (which should have role="tooltip") the tooltip of `trigger`. */
export function attachTooltip(trigger: HTMLElement, tooltip: HTMLElement): void {
  listenOnDocument();
  trigger.addEventListener('mouseenter', () => show(trigger, tooltip));
  trigger.addEventListener('mouseleave', scheduleHide);
  trigger.addEventListener('focus', () => show(trigger, tooltip));
  trigger.addEventListener('blur', hide);
  tooltip.addEventListener('mouseenter', cancelHide);
  tooltip.addEventListener('mouseleave', scheduleHide);
}
