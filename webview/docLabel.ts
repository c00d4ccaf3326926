import { MAPPING_DOCS, MEMORY_DOCS, type MemoryDoc, type MemoryFigure } from '../shared/memoryDocs';
import type { MappingKind } from '../shared/model';
import type { AccountTermKey } from '../shared/runtimeAccount';
import { ACCOUNT_DOCS } from '../shared/runtimeAccountDocs';
import { h, uniqueId } from './dom';
import { attachTooltip } from './tooltip';

/**
 * The name of a figure ("RES") with its explanation from MEMORY_DOCS: shown as a tooltip on hover
 * and on keyboard focus (the label is focusable), and read by screen readers through
 * aria-describedby. `short` gives the one-line summary (narrow views), `full` adds the details and
 * where the number comes from.
 *
 * DOM: span.doc-label-wrap > span.doc-label[data-testid=label-KEY][tabindex=0] + div.tooltip[role=tooltip][data-testid=tooltip-KEY]
 */
export function docLabel(
  figure: MemoryFigure,
  detail: 'short' | 'full',
  text = MEMORY_DOCS[figure].label,
): HTMLElement {
  return explainedLabel(figure, MEMORY_DOCS[figure], detail, text);
}

/** The name of a kind of mapping ("Heap") with its explanation from MAPPING_DOCS; KEY is `mapping-KIND`. */
export function mappingDocLabel(kind: MappingKind, detail: 'short' | 'full'): HTMLElement {
  return explainedLabel(`mapping-${kind}`, MAPPING_DOCS[kind], detail, MAPPING_DOCS[kind].label);
}

/** A term of the runtime's account ("free but kept by malloc") with its explanation from ACCOUNT_DOCS; KEY is `account-TERM`. */
export function accountDocLabel(term: AccountTermKey, detail: 'short' | 'full'): HTMLElement {
  return explainedLabel(`account-${term}`, ACCOUNT_DOCS[term], detail, ACCOUNT_DOCS[term].label);
}

function explainedLabel(key: string, doc: MemoryDoc, detail: 'short' | 'full', text: string): HTMLElement {
  const summaryId = uniqueId(`doc-${key}`);
  const label = h(
    'span',
    { class: 'doc-label', testid: `label-${key}`, attrs: { tabindex: 0, 'aria-describedby': summaryId } },
    text,
  );
  const tooltip = h(
    'div',
    { class: 'tooltip', testid: `tooltip-${key}`, attrs: { role: 'tooltip' } },
    h('div', { class: 'tooltip-title' }, doc.title),
    h('div', { class: 'tooltip-summary', id: summaryId }, doc.summary),
    detail === 'full' && h('div', { class: 'tooltip-details' }, doc.details),
    detail === 'full' && h('div', { class: 'tooltip-source' }, `Source: ${doc.source}`),
  );
  attachTooltip(label, tooltip);
  return h('span', { class: 'doc-label-wrap' }, label, tooltip);
}
