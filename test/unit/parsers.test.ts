import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseCgroupV2Path, parseFlatKeyed, parseMemoryMax } from '../../src/proc/cgroup';
import { Outcome } from '../../src/proc/outcome';
import { readProcText } from '../../src/proc/procFile';
import { MAPPING_KINDS } from '../../shared/model';
import { MappingSummary, parseSmaps } from '../../src/proc/smaps';
import { parseSmapsRollup } from '../../src/proc/smapsRollup';
import { isKernelThread, parseStat, sameBesideTime } from '../../src/proc/stat';
import { parseStatm } from '../../src/proc/statm';
import { parseStatus, Status } from '../../src/proc/status';
import { ERROR_KINDS, expectError, expectOk, FIXTURES, FIXTURE_PROC, Prng } from './helpers';

const fixture = (relative: string) => fs.readFileSync(path.join(FIXTURE_PROC, relative), 'utf8');

/** Every number a parser returns must be exact: a kernel count never exceeds 2^53. */
function assertSafeCounts(value: object, what: string): void {
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'number') {
      assert.ok(Number.isSafeInteger(field) && field >= 0, `${what}.${key} = ${field} is not an exact count`);
    }
  }
}

interface ParserUnderTest {
  name: string;
  parse(text: string): Outcome<unknown>;
  /** A valid input, for mutations. */
  sample: string;
  /** Checks an ok value: every number exact, every path absolute... */
  check(value: unknown): void;
}

const PARSERS: ParserUnderTest[] = [
  {
    name: 'statm',
    parse: (text) => parseStatm(text, 4096),
    sample: fixture('1/statm'),
    check: (value) => assertSafeCounts(value as object, 'statm'),
  },
  {
    name: 'status',
    parse: parseStatus,
    sample: fixture('1/status'),
    check: (value) => {
      const { name, state, ...rest } = value as Status;
      assert.strictEqual(typeof name, 'string');
      assert.ok(typeof state === 'string' && state.length === 1, `state "${state}"`);
      assertSafeCounts(rest, 'status');
    },
  },
  {
    name: 'stat',
    parse: parseStat,
    sample: fixture('1234/stat'),
    check: (value) => {
      const { comm, state, ...rest } = value as Record<string, unknown>;
      assert.strictEqual(typeof comm, 'string');
      assert.ok(typeof state === 'string' && /^[A-Za-z]$/.test(state));
      for (const [key, field] of Object.entries(rest)) {
        assert.ok(Number.isSafeInteger(field), `stat.${key} = ${String(field)} is not an exact integer`);
      }
    },
  },
  {
    name: 'smaps_rollup',
    parse: parseSmapsRollup,
    sample: fixture('1/smaps_rollup'),
    check: (value) => assertSafeCounts(value as object, 'smaps_rollup'),
  },
  {
    name: 'smaps',
    parse: (text) => parseSmaps(text, '/usr/lib/systemd/evil-daemon'),
    sample: fixture('1234/smaps'),
    check: (value) => {
      const summary = value as MappingSummary;
      let count = 0;
      for (const category of MAPPING_KINDS) {
        assertSafeCounts(summary.categories[category], `smaps.${category}`);
        count += summary.categories[category].count;
      }
      assert.strictEqual(count, summary.count);
      assert.ok(summary.top.length <= 8 && summary.top.length <= count);
      for (const entry of summary.top) {
        assertSafeCounts(entry, 'smaps.top');
        assert.ok(
          MAPPING_KINDS.includes(entry.category) && /^[r-][w-][x-][ps]$/.test(entry.perms),
          JSON.stringify(entry),
        );
      }
    },
  },
  {
    name: 'cgroup',
    parse: parseCgroupV2Path,
    sample: fixture('1/cgroup'),
    check: (value) =>
      assert.ok(value === undefined || (typeof value === 'string' && value.startsWith('/')), `path ${String(value)}`),
  },
  {
    name: 'memory.stat',
    parse: (text) => parseFlatKeyed(text, 'memory.stat'),
    sample: 'anon 90000000\nfile 33456789\ninactive_file 23456789\n',
    check: (value) => {
      for (const [key, number] of value as Map<string, number>) {
        assert.ok(/^[a-z_0-9]+$/.test(key) && Number.isFinite(number) && number >= 0, `${key} ${number}`);
      }
    },
  },
  {
    name: 'memory.max',
    parse: parseMemoryMax,
    sample: '536870912\n',
    // memory.max can legitimately exceed 2^53 (the kernel caps it near 2^63), so only finiteness.
    check: (value) =>
      assert.ok(
        value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0),
        `max ${String(value)}`,
      ),
  },
];

/** Parses and checks the typed-outcome contract: never throws, errors are typed, values exact. */
function checkContract(parser: ParserUnderTest, input: string): Outcome<unknown> {
  let outcome: Outcome<unknown>;
  try {
    outcome = parser.parse(input);
  } catch (error) {
    assert.fail(`${parser.name} threw on ${JSON.stringify(input.slice(0, 200))}: ${String(error)}`);
  }
  assert.strictEqual(typeof outcome.ok, 'boolean');
  if (outcome.ok) {
    parser.check(outcome.value);
  } else {
    assert.ok(ERROR_KINDS.includes(outcome.error.kind));
    assert.strictEqual(outcome.error.kind, 'malformed', `${parser.name}: a parser only reports malformed content`);
    assert.strictEqual(typeof outcome.error.detail, 'string');
  }
  return outcome;
}

describe('parsers', () => {
  describe('statm', () => {
    it('converts pages to bytes with the page size it is given', () => {
      assert.deepStrictEqual(expectOk(parseStatm('730 448 422 5 0 89 0\n', 4096)), {
        virtBytes: 730 * 4096,
        resBytes: 448 * 4096,
        shrBytes: 422 * 4096,
        textBytes: 5 * 4096,
        dataBytes: 89 * 4096,
      });
      assert.strictEqual(expectOk(parseStatm('730 448 422 5 0 89 0', 16384)).resBytes, 448 * 16384);
      assert.strictEqual(expectOk(parseStatm('730 448 422 5 0 89 0', 65536)).virtBytes, 730 * 65536);
    });

    it('accepts extra whitespace and extra fields from a future kernel', () => {
      assert.strictEqual(expectOk(parseStatm('  730\t448 422 5 0 89 0 17\n\n', 4096)).resBytes, 448 * 4096);
    });

    it('reads a kernel thread as all zeros', () => {
      assert.deepStrictEqual(expectOk(parseStatm(fixture('2/statm'), 4096)), {
        virtBytes: 0,
        resBytes: 0,
        shrBytes: 0,
        textBytes: 0,
        dataBytes: 0,
      });
    });

    it('rejects huge counts instead of returning Infinity or inexact numbers', () => {
      expectError(parseStatm(`${'9'.repeat(400)} 448 422 5 0 89 0`, 4096), 'malformed');
      expectError(parseStatm('9007199254740993 448 422 5 0 89 0', 4096), 'malformed');
    });
  });

  describe('status', () => {
    it('reads identity, threads, nested PIDs and every memory line in bytes', () => {
      const status = expectOk(parseStatus(fixture('1234/status')));
      assert.strictEqual(status.name, 'evil) name) (x');
      assert.strictEqual(status.state, 'S');
      assert.strictEqual(status.ppid, 1);
      assert.strictEqual(status.uid, 0);
      assert.strictEqual(status.threads, 1);
      assert.strictEqual(status.vmRSS, 1792 * 1024);
      assert.strictEqual(status.vmHWM, 1800 * 1024);
      assert.strictEqual(status.vmSize, 2920 * 1024);
      assert.strictEqual(status.vmPeak, 2920 * 1024);
      assert.strictEqual(status.rssAnon, 104 * 1024);
      assert.strictEqual(status.rssFile, 1688 * 1024);
      assert.strictEqual(status.rssShmem, 0);
      assert.strictEqual(status.vmData, 224 * 1024);
      assert.strictEqual(status.vmStk, 132 * 1024);
      assert.strictEqual(status.vmExe, 20 * 1024);
      assert.strictEqual(status.vmLib, 1528 * 1024);
      assert.strictEqual(status.vmPTE, 48 * 1024);
      assert.strictEqual(status.vmSwap, 12 * 1024);
    });

    it('reads a kernel thread and a zombie, which have no Vm lines', () => {
      for (const pid of [2, 4000]) {
        const status = expectOk(parseStatus(fixture(`${pid}/status`)));
        assert.strictEqual(status.vmRSS, undefined);
        assert.strictEqual(status.vmSize, undefined);
        assert.strictEqual(status.rssAnon, undefined);
      }
      assert.strictEqual(expectOk(parseStatus(fixture('4000/status'))).state, 'Z');
    });

    it('takes the real uid, the first of four', () => {
      const text = fixture('1/status').replace(/^Uid:.*$/m, 'Uid:\t1000\t0\t0\t0');
      assert.strictEqual(expectOk(parseStatus(text)).uid, 1000);
    });

    it('rejects huge values', () => {
      expectError(
        parseStatus(fixture('1/status').replace(/^VmRSS:.*$/m, `VmRSS:\t${'9'.repeat(400)} kB`)),
        'malformed',
      );
      expectError(
        parseStatus(fixture('1/status').replace(/^Threads:.*$/m, `Threads:\t${'9'.repeat(400)}`)),
        'malformed',
      );
    });

    it('reads a memory line only as "N kB": digits, blanks, then kB', () => {
      const withRss = (value: string) => parseStatus(fixture('1/status').replace(/^VmRSS:.*$/m, `VmRSS:\t${value}`));
      assert.strictEqual(expectOk(withRss('  12 kB')).vmRSS, 12 * 1024);
      assert.strictEqual(expectOk(withRss('0 \t kB')).vmRSS, 0);
      for (const bad of ['12kB', ' kB', '12 MB', '12 kBx', '1x2 kB', '-12 kB', '12', '12 kb']) {
        expectError(withRss(bad), 'malformed');
      }
    });

    it('finds each line by its whole name, wherever it is', () => {
      const lines = fixture('1/status').split('\n');
      const text = [...lines.slice(1).reverse(), lines[0]].join('\n');
      assert.deepStrictEqual(expectOk(parseStatus(text)), expectOk(parseStatus(fixture('1/status'))));
      const tracer = fixture('1/status').replace(/^PPid:.*$/m, 'TracerPid:\t77');
      expectError(parseStatus(tracer), 'malformed');
    });
  });

  describe('stat', () => {
    it('reads the fields after the LAST ")" when comm has spaces and ")"', () => {
      const stat = expectOk(parseStat(fixture('1234/stat')));
      assert.deepStrictEqual(stat, {
        pid: 1234,
        comm: 'evil) name) (x',
        state: 'S',
        ppid: 1,
        flags: 4194304,
        startTicks: 34025,
        vsizeBytes: 2990080,
        rssPages: 448,
        minorFaults: 126, // field 10
        majorFaults: 0, // field 12
      });
      assert.strictEqual(isKernelThread(stat), false);
    });

    it('tells two readings that differ only in time counters (sameBesideTime)', () => {
      const line = fixture('1234/stat');
      const close = line.lastIndexOf(')');
      const fields = line
        .slice(close + 2)
        .trimEnd()
        .split(' ');
      // Field N of stat(5), counted from 1, with `value` in its place.
      const withFields = (changes: Record<number, string>) =>
        `${line.slice(0, close + 2)}${fields.map((value, index) => changes[index + 3] ?? value).join(' ')}\n`;
      const same = (a: string, b: string) => sameBesideTime(Buffer.from(a), Buffer.from(b));
      assert.equal(fields.length + 2, 52);
      assert.ok(same(line, withFields({})));
      const timeFields = [14, 15, 16, 17, 39, 42, 43, 44];
      for (const field of timeFields) {
        assert.ok(same(line, withFields({ [field]: '123456789' })), `field ${field} counts time`);
      }
      assert.ok(same(withFields({ 14: '7', 15: '88', 39: '1' }), withFields({ 14: '70000', 15: '8', 39: '0' })));
      for (let field = 3; field <= 52; field++) {
        if (!timeFields.includes(field)) {
          assert.equal(same(line, withFields({ [field]: `${fields[field - 3]}1` })), false, `field ${field}`);
          assert.equal(same(line, withFields({ [field]: '' })), false, `field ${field} emptied`);
        }
      }
      // Another command name, one that imitates fields, one field more or less: not the same.
      assert.equal(same(line, line.replace('(evil) name) (x)', '(evil) name) (y)')), false);
      assert.equal(same(line, line.replace('(evil) name) (x)', '(evil) name) (x) S')), false);
      assert.equal(same(line, `${line.trimEnd()} 0\n`), false);
      assert.equal(same(line, line.replace(/ 0\n$/, '\n')), false);
      assert.equal(same(line, ''), false);
    });

    it('is not fooled by a comm that imitates the fields', () => {
      // comm = "x) Z 99 99 (y": a naive split on the first ")" would read state Z and ppid 99.
      const line = fixture('1/stat').replace('(systemd)', '(x) Z 99 99 (y)');
      const stat = expectOk(parseStat(line));
      assert.strictEqual(stat.comm, 'x) Z 99 99 (y');
      assert.strictEqual(stat.state, 'S');
      assert.strictEqual(stat.ppid, 0);
      assert.strictEqual(stat.startTicks, 25);
    });

    it('keeps an empty comm and one with a newline', () => {
      assert.strictEqual(expectOk(parseStat(fixture('1/stat').replace('(systemd)', '()'))).comm, '');
      assert.strictEqual(expectOk(parseStat(fixture('1/stat').replace('(systemd)', '(a\nb)'))).comm, 'a\nb');
    });

    it('recognises a kernel thread by PF_KTHREAD and a zombie by its state', () => {
      const kthread = expectOk(parseStat(fixture('2/stat')));
      assert.strictEqual(kthread.flags & 0x00200000, 0x00200000);
      assert.strictEqual(isKernelThread(kthread), true);
      assert.strictEqual(kthread.vsizeBytes, 0);
      const zombie = expectOk(parseStat(fixture('4000/stat')));
      assert.strictEqual(zombie.state, 'Z');
      assert.strictEqual(isKernelThread(zombie), false);
    });

    it('rejects huge numbers', () => {
      expectError(parseStat(fixture('1/stat').replace(' 25 ', ` ${'9'.repeat(400)} `)), 'malformed');
      expectError(parseStat(fixture('1/stat').replace(/^1 /, '90071992547409930 ')), 'malformed');
    });
  });

  describe('smaps_rollup', () => {
    it('reads every figure in bytes and computes USS', () => {
      const rollup = expectOk(parseSmapsRollup(fixture('1/smaps_rollup')));
      assert.deepStrictEqual(rollup, {
        rss: 1792 * 1024,
        pss: 181 * 1024,
        pssAnon: 104 * 1024,
        pssFile: 77 * 1024,
        pssShmem: 0,
        sharedClean: 1688 * 1024,
        sharedDirty: 0,
        privateClean: 0,
        privateDirty: 104 * 1024,
        uss: 104 * 1024,
        anonymous: 104 * 1024,
        swap: 12 * 1024,
        swapPss: 6 * 1024,
        locked: 0,
      });
    });

    it('accepts an older kernel without Pss_Anon/Pss_File/Pss_Shmem/SwapPss', () => {
      const text = fixture('1/smaps_rollup')
        .split('\n')
        .filter((line) => !/^(Pss_|SwapPss)/.test(line))
        .join('\n');
      const rollup = expectOk(parseSmapsRollup(text));
      assert.strictEqual(rollup.pssAnon, undefined);
      assert.strictEqual(rollup.swapPss, undefined);
      assert.strictEqual(rollup.pss, 181 * 1024);
    });
  });

  describe('cgroup', () => {
    it('finds the v2 path among v1 lines', () => {
      assert.strictEqual(expectOk(parseCgroupV2Path(fixture('1/cgroup'))), '/init.scope');
      assert.strictEqual(
        expectOk(parseCgroupV2Path('0::/user.slice/user-1000.slice/session-2.scope\n')),
        '/user.slice/user-1000.slice/session-2.scope',
      );
    });

    it('says "no v2 cgroup" for a v1-only system and for a kernel with no hierarchy mounted', () => {
      assert.strictEqual(expectOk(parseCgroupV2Path(fixture('4100/cgroup'))), undefined);
      assert.strictEqual(expectOk(parseCgroupV2Path('')), undefined);
    });

    it('reads memory.max: "max" is no limit, a number is bytes', () => {
      assert.strictEqual(expectOk(parseMemoryMax('max\n')), undefined);
      assert.strictEqual(expectOk(parseMemoryMax('536870912\n')), 536870912);
      // cgroup v1 says "no limit" with the largest value it can hold (PAGE_COUNTER_MAX pages).
      assert.strictEqual(expectOk(parseMemoryMax('9223372036854771712\n')), undefined);
      assert.strictEqual(expectOk(parseMemoryMax(`${2 ** 40}\n`)), 2 ** 40);
    });
  });

  describe('garbage files in test/fixtures/garbage', () => {
    for (const parser of PARSERS) {
      const dir = path.join(FIXTURES, 'garbage', parser.name);
      for (const file of fs.readdirSync(dir).sort()) {
        it(`${parser.name}: ${file} is a typed malformed error`, () => {
          // Read it as the extension would: through readProcText (UTF-8, invalid bytes replaced).
          const text = expectOk(readProcText(path.join(dir, file)));
          const outcome = checkContract(parser, text);
          expectError(outcome, 'malformed', `${parser.name}/${file}`);
        });
      }
    }
  });

  describe('hand-picked garbage', () => {
    const inputs: [string, string][] = [
      ['empty', ''],
      ['newline', '\n'],
      ['spaces', '   \t  '],
      ['NUL bytes', '\0\0\0\0'],
      ['HTML', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
      ['JSON', '{"rss": 1234, "vsz": 5678}'],
      ['replacement characters', '\ufffd\ufffd\ufffd'],
      ['a megabyte of A', 'A'.repeat(1 << 20)],
      ['a megabyte of digits', '7'.repeat(1 << 20)],
      ['only parentheses', '(((((())))))'],
      ['Arabic digits', '\u0661\u0662\u0663 \u0661 \u0661 \u0661 \u0661 \u0661 \u0661'],
    ];
    for (const parser of PARSERS) {
      for (const [name, input] of inputs) {
        it(`${parser.name}: ${name}`, () => {
          const outcome = checkContract(parser, input);
          const emptyCgroup = parser.name === 'cgroup' && input.trim() === '';
          if (!emptyCgroup) {
            // An empty /proc/PID/cgroup is what a kernel with no hierarchy mounted prints.
            expectError(outcome, 'malformed', `${parser.name} on ${name}`);
          }
        });
      }
    }
  });

  describe('property: seeded random and mutated inputs never throw, and results stay exact', () => {
    const ITERATIONS = 1500;
    const alphabet = [
      '0',
      '1',
      '9',
      ' ',
      '\n',
      '\t',
      ':',
      '(',
      ')',
      'k',
      'B',
      '-',
      '.',
      'x',
      'max',
      '0::',
      '/',
      '\0',
      '\ufffd',
      'kB',
      '9'.repeat(30),
    ];

    function mutate(random: Prng, text: string): string {
      switch (random.int(7)) {
        case 0: // truncate
          return text.slice(0, random.int(text.length + 1));
        case 1: {
          // overwrite one character
          const at = random.int(text.length + 1);
          return text.slice(0, at) + random.pick(alphabet) + text.slice(at + 1);
        }
        case 2: {
          // insert a huge or negative number somewhere
          const at = random.int(text.length + 1);
          return (
            text.slice(0, at) +
            random.pick(['99999999999999999999', '-1', '1e308', '9'.repeat(400), '18446744073709551615']) +
            text.slice(at)
          );
        }
        case 3: {
          // delete a slice
          const from = random.int(text.length + 1);
          return text.slice(0, from) + text.slice(from + random.int(40));
        }
        case 4: // random bytes as readProcText would decode them
          return random.bytes(random.int(300)).toString('utf8');
        case 5: {
          // tokens from the alphabet
          let out = '';
          for (let i = random.int(60); i > 0; i--) {
            out += random.pick(alphabet);
          }
          return out;
        }
        default: {
          // duplicate a slice
          const from = random.int(text.length + 1);
          const slice = text.slice(from, from + random.int(80));
          return text.slice(0, from) + slice + slice + text.slice(from);
        }
      }
    }

    for (const [index, parser] of PARSERS.entries()) {
      it(`${parser.name}: ${ITERATIONS} inputs (seed ${1000 + index})`, () => {
        expectOk(parser.parse(parser.sample), `${parser.name} on its valid sample`);
        const random = new Prng(1000 + index);
        let okCount = 0;
        for (let i = 0; i < ITERATIONS; i++) {
          let input = parser.sample;
          for (let rounds = 1 + random.int(3); rounds > 0; rounds--) {
            input = mutate(random, input);
          }
          if (checkContract(parser, input).ok) {
            okCount++;
          }
        }
        // Sanity: the mutations are neither all harmless nor all fatal.
        assert.ok(okCount < ITERATIONS, `${parser.name}: every mutation parsed`);
      });
    }
  });
});
