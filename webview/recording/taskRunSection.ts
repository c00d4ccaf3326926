import { formatBytes, formatInterval } from '../../shared/format';
import type { TaskRun } from '../../shared/taskRun';
import { budgetText, peakText } from '../../shared/taskRunText';
import { h, setText } from '../dom';

/** Members listed: the largest by PSS; the file has them all (up to MAX_MEMBERS). */
const LISTED_MEMBERS = 25;

/**
 * The task part of a recording: the peak and where it comes from, the member that held most, the
 * exit, the budget verdict, the OOM evidence, and the members (orphans named with their new parent).
 * Names are untrusted text: text nodes only.
 *
 * DOM: section.task-run[data-testid=task-run] > p[data-testid=task-peak], ul.task-facts > li,
 *        table[data-testid=task-members] > tr[data-testid=task-member]
 */
export class TaskRunSection {
  private readonly peak = h('p', { class: 'task-peak', testid: 'task-peak' });
  private readonly facts = h('ul', { class: 'task-facts', testid: 'task-facts' });
  private readonly members = h('tbody');
  private readonly membersTitle = h('h3', { class: 'task-members-title' });
  readonly element = h(
    'section',
    { class: 'task-run', testid: 'task-run', attrs: { 'aria-labelledby': 'task-run-title', hidden: true } },
    h('div', { class: 'section-head' }, h('h2', { id: 'task-run-title' }, 'Task run')),
    this.peak,
    this.facts,
    this.membersTitle,
    h(
      'table',
      { class: 'task-members', testid: 'task-members' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Process'),
          h('th', {}, 'PID'),
          h('th', {}, 'Peak PSS'),
          h('th', {}, 'VmHWM'),
          h('th', {}, 'Life'),
        ),
      ),
      this.members,
    ),
  );

  hide(): void {
    this.element.hidden = true;
  }

  show(run: TaskRun): void {
    this.element.hidden = false;
    setText(this.peak, peakText(run));
    const largest = run.peak.largest;
    const budget = budgetText(run);
    const lines = [
      `Peak at +${formatInterval(run.peak.atMs - run.startMs)}${largest ? `; the largest process then: ${largest.name} (PID ${largest.pid}), ${formatBytes(largest.pssBytes)} PSS` : ''}.`,
      run.peak.source === 'cgroup'
        ? `The peak is the cgroup's own high-water mark (${run.group?.peakFile ?? ''}): exact, but the group's charge, page cache included; the PSS peak is sampled every ${run.sampleIntervalMs} ms.`
        : `The peak is the largest sum of PSS over the samples (every ${run.sampleIntervalMs} ms; shared pages counted once): what lived or peaked between two samples is missed. The members' VmHWM add up to ${formatBytes(run.hwmSumBytes)}, an upper bound of the RES peak.`,
      `Exit code ${run.exitCode ?? 'unknown'} after ${formatInterval(run.durationMs)}.`,
      ...(run.group?.limitBytes
        ? [`Ran in cgroup ${run.group.path} with a ${formatBytes(run.group.limitBytes)} limit.`]
        : []),
      ...(budget ? [budget.text] : run.budgetBytes ? [`Within its ${formatBytes(run.budgetBytes)} budget.`] : []),
      ...(run.oomKill ? [`A process of the tree was most likely killed by the OOM killer: ${run.oomKill}`] : []),
    ];
    this.facts.replaceChildren(...lines.map((line) => h('li', {}, line)));
    const total = run.members.length + run.membersOmitted;
    const orphans = run.members.filter((member) => member.reparentedTo).length;
    const lost = run.members.filter((member) => member.lost).length;
    setText(
      this.membersTitle,
      `${total} ${total === 1 ? 'process' : 'processes'}${orphans ? ` · ${orphans} re-parented when their parent exited` : ''}${lost ? ` · ${lost} gone before their memory could be read` : ''}${total > LISTED_MEMBERS ? ` · the ${LISTED_MEMBERS} largest` : ''}`,
    );
    const listed = [...run.members].sort((a, b) => b.maxPssBytes - a.maxPssBytes).slice(0, LISTED_MEMBERS);
    this.members.replaceChildren(
      ...listed.map((member) =>
        h(
          'tr',
          { testid: 'task-member' },
          h(
            'td',
            { class: 'task-member-name' },
            member.reparentedTo
              ? `${member.name} (re-parented to ${member.reparentedTo.name}, PID ${member.reparentedTo.pid})`
              : member.name,
          ),
          h('td', {}, String(member.pid)),
          h('td', {}, member.lost ? '–' : formatBytes(member.maxPssBytes)),
          h('td', {}, member.lost ? '–' : formatBytes(member.hwmBytes)),
          h(
            'td',
            {},
            `+${formatInterval(member.firstSeenMs - run.startMs)} → ${member.exitedAtMs === undefined ? 'outlived the task' : `+${formatInterval(member.exitedAtMs - run.startMs)}`}`,
          ),
        ),
      ),
    );
  }
}
