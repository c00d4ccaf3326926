// The runtime's account in the stop tip's hover, as Markdown. No `vscode`: unit-tested as text.
import { ACCOUNT_TERM_LABELS, StopAccount } from '../../../shared/runtimeAccount';
import { formatBytes } from '../../../shared/format';
import { escapeMarkdown } from '../../textEscapes';

const RUNTIME_NAMES = { node: 'Node (V8)', python: 'Python', native: 'glibc malloc' } as const;

/** The account as a table that adds up to RES, its other figures and its notes; or why there is none. */
export function accountMarkdown(account: StopAccount | undefined): string {
  if (!account) {
    return '';
  }
  if (account.status === 'pending') {
    return '**The runtime’s own account**: asking the program…';
  }
  if (account.status === 'unavailable') {
    return `**The runtime’s own account**: not available: ${escapeMarkdown(account.reason)}.`;
  }
  const { runtime, resBytes, terms, facts, notes } = account.account;
  const lines = [
    `**The runtime’s own account of RES** (${RUNTIME_NAMES[runtime]})`,
    '',
    '| Part | Bytes | |',
    '|---|---:|---|',
    `| RES | ${formatBytes(resBytes)} | |`,
    ...terms.map(
      (term) =>
        `| ${ACCOUNT_TERM_LABELS[term.key]} | ${formatBytes(term.bytes)} | ${term.detail ? escapeMarkdown(term.detail) : ''} |`,
    ),
  ];
  if (facts.length > 0) {
    lines.push('', facts.map((fact) => `${escapeMarkdown(fact.label)}: ${escapeMarkdown(fact.value)}`).join(' · '));
  }
  for (const note of notes) {
    lines.push('', `_${escapeMarkdown(note)}_`);
  }
  return lines.join('\n');
}
