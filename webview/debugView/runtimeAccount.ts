import { formatBytes, formatDelta } from '../../shared/format';
import { ACCOUNT_TERM_LABELS, AccountChange, StopAccount } from '../../shared/runtimeAccount';
import { accountDocLabel } from '../docLabel';
import { h, setSafeAttribute } from '../dom';

/**
 * The runtime's own account of RES in a stop's row: its terms, or why there is none. Plain text
 * (the row is itself a button, so nothing inside it is focusable); the terms' docs are on the
 * comparison's labels. Text from the debugger (reasons) goes in as text nodes only.
 *
 * DOM: div.stop-account[data-testid=stop-account][data-status=pending|unavailable|ok]
 *        > span.account-term[data-term=KEY][data-bytes]…  (or the reason's text)
 */
export function stopAccountLine(account: StopAccount | undefined): HTMLElement | undefined {
  if (!account) {
    return undefined;
  }
  const line = h('div', { class: 'stop-account', testid: 'stop-account', attrs: { 'data-status': account.status } });
  if (account.status === 'pending') {
    line.append('Asking the runtime for its account…');
  } else if (account.status === 'unavailable') {
    line.append(`No runtime account: ${account.reason}`);
  } else {
    line.append(
      ...account.account.terms.map((term) => {
        const span = h(
          'span',
          { class: `account-term${term.bytes < 0 ? ' negative' : ''}`, attrs: { 'data-term': term.key } },
          `${ACCOUNT_TERM_LABELS[term.key]} ${formatBytes(term.bytes)}`,
        );
        setSafeAttribute(span, 'data-bytes', term.bytes);
        return span;
      }),
    );
  }
  return line;
}

/**
 * How the runtime's account changed between the two stops compared: one row per term, each label
 * with its docs (hover and keyboard focus).
 *
 * DOM: table.comparison-account[data-testid=comparison-account] > tr[data-testid=change-term-KEY][data-bytes]
 */
export function accountChangeTable(change: AccountChange | undefined): HTMLElement | undefined {
  if (!change) {
    return undefined;
  }
  const rows = change.terms.map((term) => {
    const row = h(
      'tr',
      { testid: `change-term-${term.key}` },
      h('th', { attrs: { scope: 'row' } }, accountDocLabel(term.key, 'short')),
      h('td', { class: `num delta${term.bytes > 0 ? ' grew' : ''}` }, formatDelta(term.bytes)),
    );
    setSafeAttribute(row, 'data-bytes', term.bytes);
    return row;
  });
  return h(
    'table',
    {
      class: 'comparison-table comparison-account',
      testid: 'comparison-account',
      attrs: { 'aria-label': "Change in the runtime's own account of RES" },
    },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { attrs: { scope: 'col' } }, `Runtime's account (RES ${formatDelta(change.resBytes)})`),
        h('th', { class: 'num', attrs: { scope: 'col' } }, 'Change'),
      ),
    ),
    h('tbody', {}, ...rows),
  );
}
