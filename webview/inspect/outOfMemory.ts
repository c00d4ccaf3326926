import { formatBytes } from '../../shared/format';
import type { MemoryFigure } from '../../shared/memoryDocs';
import type {
  CgroupFigure,
  CgroupLevelRow,
  LeakForecast,
  OomCounterKey,
  PressureFigure,
  ProcessSnapshot,
} from '../../shared/model';
import { docLabel } from '../docLabel';
import { h, setSafeAttribute, setText } from '../dom';
import { readFigure } from '../figure';
import { FigureTile } from '../figureTile';
import { LeakForecastView } from './leakForecast';

const COUNTERS: readonly OomCounterKey[] = ['eventsHigh', 'eventsMax', 'eventsOom', 'failcnt', 'oomKill'];

/** "12 345.6/s" with a sensible precision for rates that range from 0 to millions. */
function formatRate(perSecond: number): string {
  const rounded =
    perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(perSecond >= 10 ? 1 : 2);
  return `${rounded}/s`;
}

/**
 * "Will it run out of memory?": the leak forecast, the cgroup's usage and working set side by side, every level with
 * a limit and its headroom, the group's OOM counters, the OOM score and the page-fault rates.
 * Every label explains its figure (MEMORY_DOCS); what cannot be read says why.
 *
 * DOM: section[data-testid=out-of-memory][data-cgroup=value|unavailable]
 *        div[data-testid=forecast] (see LeakForecastView)
 *        .tile[data-figure=cgroupUsage|workingSet|oomScore|oomScoreAdj|minorFaults|majorFaults|eventsHigh|...][data-state][data-bytes]
 *        p[data-testid=cgroup-unavailable]
 *        table[data-testid=limit-levels] > tr[data-testid=limit-level][data-path][data-limit][data-working-set][data-headroom][data-tightest]
 *        p[data-testid=oom-unavailable]
 */
export class OutOfMemorySection {
  readonly element: HTMLElement;
  private readonly tiles = new Map<string, FigureTile>();
  private readonly groupNote = h('span', { class: 'section-note', testid: 'cgroup-path' });
  private readonly cgroupUnavailable = h('p', {
    class: 'oom-unavailable',
    testid: 'cgroup-unavailable',
    attrs: { hidden: true },
  });
  private readonly cgroupBody: HTMLElement;
  private readonly levelsBody = h('tbody');
  private readonly levelsTable: HTMLElement;
  private readonly oomUnavailable = h('p', {
    class: 'oom-unavailable',
    testid: 'oom-unavailable',
    attrs: { hidden: true },
  });
  private readonly counterGrid: HTMLElement;
  private levelsKey = '';
  private readonly forecast = new LeakForecastView();

  constructor() {
    const group = (title: string | Element, ...children: Element[]) =>
      h('div', { class: 'figure-group' }, h('h3', { class: 'group-title' }, title), ...children);
    const grid = (...tiles: HTMLElement[]) => h('div', { class: 'tile-grid' }, ...tiles);
    this.levelsTable = h(
      'table',
      {
        class: 'mapping-table limit-levels',
        testid: 'limit-levels',
        attrs: { 'aria-label': 'Memory limits on the way up the cgroup tree' },
      },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' } }, 'Level'),
          ...['Limit', 'Working set', 'Headroom'].map((name) =>
            h('th', { class: 'num', attrs: { scope: 'col' } }, name),
          ),
        ),
      ),
      this.levelsBody,
    );
    this.counterGrid = grid(...COUNTERS.map((key) => this.tile(key)));
    this.cgroupBody = h(
      'div',
      { class: 'figure-groups' },
      group('Usage and working set of its cgroup', grid(this.tile('cgroupUsage'), this.tile('workingSet'))),
      group('Limits, from its group up (headroom = limit − that level’s working set)', this.levelsTable),
      group('OOM counters of its cgroup', this.oomUnavailable, this.counterGrid),
    );
    this.element = h(
      'section',
      {
        class: 'out-of-memory',
        testid: 'out-of-memory',
        attrs: { 'aria-labelledby': 'oom-title', 'data-cgroup': 'empty' },
      },
      h('div', { class: 'section-head' }, h('h2', { id: 'oom-title' }, 'Will it run out of memory?'), this.groupNote),
      h(
        'div',
        { class: 'figure-groups forecast-group' },
        group(docLabel('leakForecast', 'full'), this.forecast.element),
      ),
      this.cgroupUnavailable,
      this.cgroupBody,
      h(
        'div',
        { class: 'figure-groups oom-process' },
        group('How the OOM killer ranks it', grid(this.tile('oomScore'), this.tile('oomScoreAdj'))),
        group('Page faults', grid(this.tile('minorFaults'), this.tile('majorFaults'))),
      ),
      h(
        'div',
        { class: 'figure-groups oom-process' },
        group('Memory pressure: share of time tasks waited for memory', this.pressureTable, this.pressureNote),
      ),
    );
  }

  private readonly pressureCells = {
    system: {
      some: [h('td', { class: 'num' }), h('td', { class: 'num' })],
      full: [h('td', { class: 'num' }), h('td', { class: 'num' })],
    },
    group: {
      some: [h('td', { class: 'num' }), h('td', { class: 'num' })],
      full: [h('td', { class: 'num' }), h('td', { class: 'num' })],
    },
  };
  private readonly pressureHeads = {
    system: h('th', { class: 'num', attrs: { scope: 'col', colspan: 2 } }, 'System'),
    group: h('th', { class: 'num', attrs: { scope: 'col', colspan: 2 } }, 'Its group'),
  };
  private readonly pressureNote = h('p', { class: 'oom-unavailable pressure-note', testid: 'pressure-note' });
  private readonly pressureTable = h(
    'table',
    {
      class: 'mapping-table pressure-table',
      testid: 'pressure',
      attrs: { 'aria-label': 'Memory pressure (PSI) of the system and of the group' },
    },
    h(
      'thead',
      {},
      h('tr', {}, h('th', { attrs: { scope: 'col' } }), this.pressureHeads.system, this.pressureHeads.group),
      h(
        'tr',
        {},
        h('th', { attrs: { scope: 'col' } }),
        ...['10 s', '60 s', '10 s', '60 s'].map((name) => h('th', { class: 'num', attrs: { scope: 'col' } }, name)),
      ),
    ),
    h(
      'tbody',
      {},
      ...(['some', 'full'] as const).map((line) =>
        h(
          'tr',
          { testid: `pressure-${line}` },
          h(
            'th',
            { class: 'pressure-label', attrs: { scope: 'row' } },
            docLabel(line === 'some' ? 'pressureSome' : 'pressureFull', 'full'),
          ),
          ...this.pressureCells.system[line],
          ...this.pressureCells.group[line],
        ),
      ),
    ),
  );

  private updatePressure(pressure: ProcessSnapshot['pressure'], cgroup: CgroupFigure): void {
    const notes: string[] = [];
    for (const scope of ['system', 'group'] as const) {
      const figure: PressureFigure = pressure[scope];
      const cells = this.pressureCells[scope];
      const values =
        'unavailable' in figure
          ? undefined
          : { some: [figure.someAvg10, figure.someAvg60], full: [figure.fullAvg10, figure.fullAvg60] };
      for (const line of ['some', 'full'] as const) {
        cells[line].forEach((cell, i) => {
          setText(cell, values ? `${values[line][i].toFixed(2)} %` : '–');
          setSafeAttribute(cell, 'data-value', values?.[line][i]);
        });
      }
      if ('unavailable' in figure) {
        notes.push(`${scope === 'system' ? 'System' : 'Its group'}: unavailable: ${figure.unavailable}`);
        setSafeAttribute(this.pressureHeads[scope], 'title', figure.unavailable);
      } else {
        setSafeAttribute(this.pressureHeads[scope], 'title', figure.file);
        if (scope === 'group' && figure.group !== undefined) {
          const limitGroup = 'unavailable' in cgroup ? undefined : cgroup;
          const differs = limitGroup && (limitGroup.version === 1 || limitGroup.path !== figure.group);
          notes.push(
            `Its group: ${figure.group} in the cgroup v2 hierarchy${differs ? `, not the ${limitGroup.version === 1 ? 'v1 ' : ''}group ${limitGroup.path} that holds the memory limit` : ''}.`,
          );
          setSafeAttribute(this.pressureTable, 'data-group', figure.group);
        }
      }
    }
    setText(this.pressureNote, notes.join('\n'));
  }

  /** A new fit of RES (the host refits it every few seconds, not with every reading). */
  setForecast(forecast: LeakForecast | undefined): void {
    this.forecast.update(forecast);
  }

  update(snapshot: ProcessSnapshot): void {
    this.updateCgroup(snapshot.cgroup);
    this.updatePressure(snapshot.pressure, snapshot.cgroup);
    const score = snapshot.oomScore;
    if ('unavailable' in score) {
      this.get('oomScore').setText(`unavailable: ${score.unavailable}`, 'unavailable');
      this.get('oomScoreAdj').setText(`unavailable: ${score.unavailable}`, 'unavailable');
    } else {
      this.get('oomScore').setText(String(score.score));
      this.get('oomScore').setNote(score.score >= 1000 ? 'above most processes' : undefined);
      this.get('oomScoreAdj').setText(score.adj > 0 ? `+${score.adj}` : String(score.adj));
      this.get('oomScoreAdj').setNote(
        score.adj === -1000 ? 'never killed' : score.adj === 1000 ? 'killed first' : undefined,
      );
      setSafeAttribute(this.get('oomScore').element, 'data-value', score.score);
      setSafeAttribute(this.get('oomScoreAdj').element, 'data-value', score.adj);
    }
    const faults = snapshot.faults;
    for (const [key, rate, total] of [
      ['minorFaults', 'minorPerSecond', 'minorTotal'],
      ['majorFaults', 'majorPerSecond', 'majorTotal'],
    ] as const) {
      const tile = this.get(key);
      if ('unavailable' in faults) {
        tile.setText(`unavailable: ${faults.unavailable}`, 'unavailable');
        tile.setNote(undefined);
      } else {
        tile.setText(formatRate(faults[rate]));
        tile.setNote(`${faults[total].toLocaleString('en-US')} since it started`);
        setSafeAttribute(tile.element, 'data-value', faults[rate]);
        setSafeAttribute(tile.element, 'data-total', faults[total]);
      }
    }
  }

  private updateCgroup(cgroup: CgroupFigure): void {
    if ('unavailable' in cgroup) {
      setSafeAttribute(this.element, 'data-cgroup', 'unavailable');
      setText(this.cgroupUnavailable, `cgroup: unavailable: ${cgroup.unavailable}`);
      this.cgroupUnavailable.hidden = false;
      this.cgroupBody.hidden = true;
      setText(this.groupNote, '');
      return;
    }
    setSafeAttribute(this.element, 'data-cgroup', 'value');
    this.cgroupUnavailable.hidden = true;
    this.cgroupBody.hidden = false;
    setText(this.groupNote, `cgroup ${cgroup.path} (v${cgroup.version})`);
    const usage = this.get('cgroupUsage');
    usage.setBytes(cgroup.usageBytes);
    const workingSet = this.get('workingSet');
    workingSet.setFigure(cgroup.workingSet);
    const ws = readFigure(cgroup.workingSet).bytes;
    workingSet.setNote(
      ws === undefined ? undefined : `${formatBytes(cgroup.usageBytes - ws)} less: inactive page cache`,
    );
    const tightest = cgroup.tightest;
    this.updateLevels(cgroup.levels, 'unavailable' in tightest ? undefined : tightest.path);
    if ('unavailable' in cgroup.oom) {
      setText(this.oomUnavailable, `unavailable: ${cgroup.oom.unavailable}`);
      this.oomUnavailable.hidden = false;
      this.counterGrid.hidden = true;
    } else {
      this.oomUnavailable.hidden = true;
      this.counterGrid.hidden = false;
      for (const key of COUNTERS) {
        const row = cgroup.oom.counters.find((counter) => counter.key === key);
        const tile = this.get(key);
        tile.element.hidden = !row;
        if (row) {
          tile.setText(row.value.toLocaleString('en-US'));
          setSafeAttribute(tile.element, 'data-value', row.value);
          setSafeAttribute(tile.element, 'title', row.file);
        }
      }
    }
  }

  private updateLevels(levels: CgroupLevelRow[], tightestPath: string | undefined): void {
    const key = JSON.stringify([levels, tightestPath]);
    if (key === this.levelsKey) {
      return;
    }
    this.levelsKey = key;
    if (levels.length === 0) {
      this.levelsBody.replaceChildren(
        h(
          'tr',
          { testid: 'no-limit' },
          h('td', { attrs: { colspan: 4 } }, 'No limit on its group or any group above it.'),
        ),
      );
      return;
    }
    this.levelsBody.replaceChildren(
      ...levels.map((level) => {
        const workingSet = readFigure(level.workingSet);
        const headroom = readFigure(level.headroom);
        const tightest = level.path === tightestPath;
        return h(
          'tr',
          {
            class: tightest ? 'limit-level tightest' : 'limit-level',
            testid: 'limit-level',
            attrs: {
              'data-path': level.path,
              'data-limit': level.limitBytes,
              'data-working-set': workingSet.bytes,
              'data-headroom': headroom.bytes,
              'data-tightest': tightest,
            },
          },
          h(
            'td',
            { class: 'level-path', attrs: { title: `${level.path} (${level.limitFile})` } },
            level.path,
            h('span', { class: 'level-file' }, ` ${level.limitFile}`),
          ),
          h('td', { class: 'num' }, formatBytes(level.limitBytes)),
          h(
            'td',
            { class: 'num', attrs: { title: workingSet.unavailable } },
            workingSet.unavailable ? 'unavailable' : workingSet.text,
          ),
          h(
            'td',
            {
              class: 'num',
              attrs: { title: headroom.unavailable ?? (tightest ? 'the least headroom of all levels' : undefined) },
            },
            headroom.unavailable ? 'unavailable' : headroom.text,
          ),
        );
      }),
    );
  }

  private tile(figure: MemoryFigure): HTMLElement {
    const tile = new FigureTile({ figure, docs: 'full', size: 'small' });
    this.tiles.set(figure, tile);
    return tile.element;
  }

  private get(key: string): FigureTile {
    return this.tiles.get(key)!;
  }
}
