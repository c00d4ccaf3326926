// The runtime's own account at a stop: reading each runtime's answer (whole, garbled, cut), the
// deadlock guard's frame names, the account that adds up to RES, and what recordings read back.
// The Python helper's expression runs in a real /usr/bin/python3, inside a function frame.
import * as assert from 'assert';
import { execFileSync } from 'node:child_process';
import {
  isMallocFrame,
  NODE_ACCOUNT_EXPRESSION,
  parseLldbMallinfo,
  parseNodeAnswer,
  parsePythonAccount,
} from '../../src/debug/runtime/accountAnswers';
import { accountMarkdown } from '../../src/debug/runtime/accountMarkdown';
import type { DapRequester } from '../../src/debug/core/dapRequester';
import { evaluateAtStop, unquoteResult } from '../../src/debug/runtime/evaluateAtStop';
import { parsePythonHelperAnswer, pythonHelperExpression } from '../../src/debug/runtime/pythonHelper';
import { memoryDocsMarkdown } from '../../shared/memoryDocs';
import { ACCOUNT_DOCS } from '../../shared/runtimeAccountDocs';
import {
  ACCOUNT_TERM_LABELS,
  accountChange,
  accountChangeText,
  accountText,
  buildAccount,
  readAccount,
  RuntimeFigures,
} from '../../shared/runtimeAccount';

const MiB = 1024 * 1024;

/** lldb-vscode-15's answer to the mallinfo2() call, as it printed it. */
const LLDB_OUTPUT =
  '(lldb) expression --timeout 1500000 --all-threads false -- ((struct $procmem_mallinfo2 (*)(void))mallinfo2)()\n' +
  '(struct $procmem_mallinfo2) $0 = {\n  arena = 270336\n  ordblks = 2\n  smblks = 0\n  hblks = 1\n  hblkhd = 1601536\n' +
  '  usmblks = 0\n  fsmblks = 0\n  uordblks = 3936\n  fordblks = 266400\n  keepcost = 134224\n}\n';

describe('unquoteResult: a string as the runtime printed it', () => {
  it("reads Python's repr, JavaScript's quotes and bare text", () => {
    assert.strictEqual(unquoteResult(`'{"a": 1}'`), '{"a": 1}');
    assert.strictEqual(unquoteResult(`"{\\"a\\": 1}"`), '{"a": 1}');
    assert.strictEqual(unquoteResult(`'it\\'s \\\\ \\x41\\u00e9\\n'`), "it's \\ Aé\n");
    assert.strictEqual(unquoteResult('{"a": 1}'), '{"a": 1}');
  });
  it('refuses cut or malformed strings', () => {
    assert.strictEqual(unquoteResult(`'{"a": 1`), undefined, 'cut: no closing quote');
    assert.strictEqual(unquoteResult(`'a'b'`), undefined, 'an unescaped quote inside');
    assert.strictEqual(unquoteResult(`'\\x4'`), undefined, 'a short escape');
    assert.strictEqual(unquoteResult(`'\\q'`), undefined, 'an unknown escape');
    assert.strictEqual(unquoteResult(`'abc\\'`), undefined, 'ends inside an escape');
  });
});

describe('evaluateAtStop: bounded, errors in words (a scripted adapter: a real one cannot be made to hang on cue)', () => {
  const adapter = (answers: Record<string, (args: unknown) => Promise<unknown>>): DapRequester => ({
    customRequest: (command, args) => (answers[command] ?? (() => Promise.reject(new Error(`no ${command}`))))(args),
  });
  it('evaluates in the top frame of the stopped thread, in the clipboard context', async () => {
    const seen: unknown[] = [];
    const result = await evaluateAtStop(
      adapter({
        stackTrace: async (args) => (seen.push(args), { stackFrames: [{ id: 7 }] }),
        evaluate: async (args) => (seen.push(args), { result: "'ok'" }),
      }),
      '1+1',
      { threadId: 3 },
    );
    assert.deepStrictEqual(result, { ok: true, text: "'ok'" });
    assert.deepStrictEqual(seen, [
      { threadId: 3, startFrame: 0, levels: 1 },
      { expression: '1+1', frameId: 7, context: 'clipboard' },
    ]);
  });
  it('reports a timeout, and an adapter error as its first line', async () => {
    const hung = await evaluateAtStop(adapter({ evaluate: () => new Promise(() => undefined) }), 'x', {
      frameId: 1,
      timeoutMs: 50,
    });
    assert.deepStrictEqual(hung, { ok: false, reason: 'the debugger did not answer within 0.05 s', timedOut: true });
    const refused = await evaluateAtStop(
      adapter({ evaluate: () => Promise.reject(new Error('Unable to evaluate\n  at stack')) }),
      'x',
      { frameId: 1 },
    );
    assert.deepStrictEqual(refused, { ok: false, reason: 'Unable to evaluate' });
    const noFrame = await evaluateAtStop(adapter({ stackTrace: async () => ({ stackFrames: [] }) }), 'x', {
      threadId: 1,
    });
    assert.deepStrictEqual(noFrame, { ok: false, reason: 'the debugger gave no stack frame to evaluate in' });
  });
});

describe('the Python helper, in a real interpreter', () => {
  /** Runs the expression with eval() inside a function frame, as pydevd does; prints what changed. */
  function runInPython(expression: string, setup: string[] = []): { answer: string; stdout: string; stderr: string } {
    const script = [
      'import io, json, sys',
      ...setup,
      'def user_function():',
      '    local_value = 1',
      '    before = (sorted(locals()), sorted(globals()))',
      '    out, err = io.StringIO(), io.StringIO()',
      '    sys.stdout, sys.stderr = out, err',
      '    try:',
      '        answer = eval(sys.argv[1], globals(), locals())',
      '        answer_again = eval(sys.argv[1], globals(), locals())',
      '    finally:',
      '        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__',
      '    after = (sorted(k for k in locals() if k not in ("before", "out", "err", "answer", "answer_again")), sorted(globals()))',
      '    before = (sorted(k for k in before[0] if k not in ("before", "out", "err")), before[1])',
      '    print(json.dumps({"answer": answer, "same": before == after, "stdout": out.getvalue(), "stderr": err.getvalue(), "module": "_procmem" in sys.modules}))',
      'user_function()',
    ].join('\n');
    const output = execFileSync('/usr/bin/python3', ['-c', script, expression], { encoding: 'utf8' });
    const result = JSON.parse(output) as {
      answer: string;
      same: boolean;
      stdout: string;
      stderr: string;
      module: boolean;
    };
    assert.ok(result.same, 'no name added to the frame’s locals or globals');
    assert.ok(result.module, 'the helper lives in sys.modules');
    return result;
  }

  it('answers account() with JSON, adds no names, prints nothing', () => {
    const { answer, stdout, stderr } = runInPython(pythonHelperExpression('account'));
    assert.strictEqual(stdout, '');
    assert.strictEqual(stderr, '');
    const parsed = parsePythonHelperAnswer(JSON.stringify(answer));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const account = parsePythonAccount(parsed.value);
    assert.ok(account.ok, JSON.stringify(account));
    assert.strictEqual(account.figures.runtime, 'python');
    if (account.figures.runtime === 'python') {
      assert.ok(account.figures.allocatedBlocks > 1000);
      assert.ok(!('unavailable' in account.figures.malloc), JSON.stringify(account.figures.malloc));
    }
  });

  it('says which C library lacks mallinfo2(): musl (no glibc version), or a glibc before 2.33', () => {
    const mallocOf = (setup: string[]) => {
      const parsed = parsePythonHelperAnswer(
        JSON.stringify(runInPython(pythonHelperExpression('account'), setup).answer),
      );
      assert.ok(parsed.ok);
      const account = parsePythonAccount(parsed.value);
      assert.ok(account.ok && account.figures.runtime === 'python');
      return account.figures.malloc;
    };
    // Like musl: os.confstr knows no GNU libc version.
    assert.deepStrictEqual(mallocOf(['import os', 'os.confstr = lambda name: None']), {
      unavailable: 'not glibc (musl or another C library): it has no mallinfo2()',
    });
    // Like glibc 2.31: a C library without the mallinfo2 symbol.
    assert.deepStrictEqual(
      mallocOf([
        'import ctypes, os',
        'os.confstr = lambda name: "glibc 2.31"',
        'class OldLibc:',
        '    def __init__(self, name): pass',
        'ctypes.CDLL = OldLibc',
      ]),
      { unavailable: 'glibc 2.31 has no mallinfo2() (it came in glibc 2.33)' },
    );
  });

  it('a failing helper function answers with its error, not an exception', () => {
    const { answer } = runInPython(pythonHelperExpression('no_such_function'));
    const parsed = parsePythonHelperAnswer(JSON.stringify(answer));
    assert.deepStrictEqual(parsed, { ok: false, reason: "the helper failed: KeyError: 'no_such_function'" });
  });

  it('reads garbage and cut answers as reasons', () => {
    assert.match(
      (parsePythonHelperAnswer(`NameError("name '_procmem' is not defined")`) as { reason: string }).reason,
      /^the program answered "NameError/,
    );
    assert.match((parsePythonHelperAnswer(`'{"ok": true, "val`) as { reason: string }).reason, /cut or malformed/);
    assert.match((parsePythonHelperAnswer(`'{"ok": true, "val'`) as { reason: string }).reason, /answered/);
    assert.match((parsePythonHelperAnswer(`'{"ok": "yes"}'`) as { reason: string }).reason, /answered/);
  });
});

describe('reading each runtime’s answer', () => {
  it('Node: process.memoryUsage() and V8’s resident heap; garbage and cut answers give reasons', () => {
    const answer = JSON.stringify({
      m: { rss: 1, heapTotal: 10 * MiB, heapUsed: 4 * MiB, external: 70 * MiB, arrayBuffers: 64 * MiB },
      h: { total_physical_size: 8 * MiB },
      v: 'v20.20.2',
    });
    const parsed = parseNodeAnswer(`'${answer}'`);
    assert.ok(parsed.ok);
    assert.deepStrictEqual(parsed.figures, {
      runtime: 'node',
      version: 'v20.20.2',
      heapTotalBytes: 10 * MiB,
      heapUsedBytes: 4 * MiB,
      externalBytes: 70 * MiB,
      arrayBuffersBytes: 64 * MiB,
      heapPhysicalBytes: 8 * MiB,
    });
    assert.ok(parseNodeAnswer(answer).ok, 'bare (clipboard) as well as quoted');
    assert.match((parseNodeAnswer(answer.slice(0, 40)) as { reason: string }).reason, /answered/);
    assert.match((parseNodeAnswer(`'${answer.slice(0, 40)}`) as { reason: string }).reason, /cut or malformed/);
    assert.match((parseNodeAnswer('ReferenceError: process is not defined') as { reason: string }).reason, /answered/);
    const negative = answer.replace(`"external":${70 * MiB}`, '"external":-5');
    assert.match((parseNodeAnswer(negative) as { reason: string }).reason, /external is not a byte count/);
    assert.match((parseNodeAnswer('{"m": null}') as { reason: string }).reason, /without process.memoryUsage/);
    assert.ok(NODE_ACCOUNT_EXPRESSION.startsWith('(() =>'), 'an arrow function: binds no name in the frame');
  });

  it('Node: the expression answers in a real Node, in an ES module too (no require)', () => {
    for (const type of ['commonjs', 'module']) {
      const output = execFileSync(
        process.execPath,
        [`--input-type=${type}`, '-e', `process.stdout.write(${NODE_ACCOUNT_EXPRESSION})`],
        { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
      );
      const parsed = parseNodeAnswer(output);
      assert.ok(
        parsed.ok && parsed.figures.runtime === 'node' && parsed.figures.heapPhysicalBytes !== undefined,
        output,
      );
    }
  });

  it('Python: the helper’s account, with or without malloc’s figures', () => {
    const mallinfo2 = {
      arena: 8282112,
      ordblks: 414,
      smblks: 4,
      hblks: 3,
      hblkhd: 1363968,
      usmblks: 0,
      fsmblks: 256,
      uordblks: 7315152,
      fordblks: 966960,
      keepcost: 80000,
    };
    const value = {
      version: '3.11.2',
      allocatedBlocks: 173105,
      gcCounts: [405, 5, 8],
      tracemalloc: { current: 100, peak: 200, overhead: 50 },
      malloc: { glibc: '2.36', mallinfo2 },
    };
    const parsed = parsePythonAccount(value);
    assert.ok(parsed.ok && parsed.figures.runtime === 'python');
    assert.deepStrictEqual(parsed.figures.malloc, {
      arenaBytes: 8282112,
      inUseBytes: 7315152,
      mmappedBytes: 1363968,
      freeKeptBytes: 966960,
      trimmableBytes: 80000,
    });
    assert.deepStrictEqual(parsed.figures.tracemalloc, { currentBytes: 100, peakBytes: 200, overheadBytes: 50 });
    const musl = parsePythonAccount({ ...value, malloc: { unavailable: 'not glibc' } });
    assert.ok(musl.ok && musl.figures.runtime === 'python');
    assert.deepStrictEqual(musl.figures.malloc, { unavailable: 'not glibc' });
    const broken = parsePythonAccount({ ...value, malloc: { mallinfo2: { ...mallinfo2, fordblks: 'x' } } });
    assert.ok(broken.ok && broken.figures.runtime === 'python');
    assert.deepStrictEqual(broken.figures.malloc, { unavailable: 'the answer had no readable mallinfo2() figures' });
    assert.deepStrictEqual(parsePythonAccount({ ...value, allocatedBlocks: -1 }), {
      ok: false,
      reason: 'sys.getallocatedblocks() is missing from the answer',
    });
    assert.strictEqual(parsePythonAccount('garbage').ok, false);
    assert.strictEqual(parsePythonAccount(null).ok, false);
  });

  it('lldb: the printed struct, whole; errors, cut and doubled fields give reasons', () => {
    assert.deepStrictEqual(parseLldbMallinfo(LLDB_OUTPUT), {
      arenaBytes: 270336,
      inUseBytes: 3936,
      mmappedBytes: 1601536,
      freeKeptBytes: 266400,
      trimmableBytes: 134224,
    });
    assert.match(
      (parseLldbMallinfo(LLDB_OUTPUT.slice(0, LLDB_OUTPUT.indexOf('fordblks'))) as { error: string }).error,
      /not a whole mallinfo2 struct/,
    );
    assert.match(
      (parseLldbMallinfo(LLDB_OUTPUT.replace('ordblks = 2', 'arena = 2')) as { error: string }).error,
      /arena twice/,
    );
    assert.deepStrictEqual(
      parseLldbMallinfo("(lldb) expression …\nerror: use of undeclared identifier 'mallinfo2'\n"),
      { error: "error: use of undeclared identifier 'mallinfo2'" },
    );
    assert.match((parseLldbMallinfo('') as { error: string }).error, /not a whole/);
  });

  it('the deadlock guard knows glibc’s allocator frames and leaves others alone', () => {
    for (const name of [
      'malloc',
      '__GI___libc_malloc',
      '__libc_free',
      'free',
      '_int_malloc',
      '_int_free',
      'tcache_get',
      'checked_request2size',
      'malloc_consolidate',
      'sysmalloc',
      'arena_get2',
      '__libc_calloc',
      'realloc',
      'libc.so.6`__GI___libc_malloc',
      'mallinfo2',
    ]) {
      assert.ok(isMallocFrame(name), name);
    }
    for (const name of [
      'main',
      'spin',
      '__libc_start_call_main',
      'start_thread',
      'freeze',
      'mallocator_init',
      'clone3',
    ]) {
      assert.ok(!isMallocFrame(name), name);
    }
  });
});

describe('the account that adds up to RES', () => {
  const code = { bytes: 30 * MiB };
  const node: RuntimeFigures = {
    runtime: 'node',
    version: 'v20',
    heapTotalBytes: 180 * MiB,
    heapUsedBytes: 120 * MiB,
    externalBytes: 200 * MiB,
    arrayBuffersBytes: 150 * MiB,
    heapPhysicalBytes: 170 * MiB,
  };
  const native: RuntimeFigures = {
    runtime: 'native',
    malloc: { arenaBytes: 0, inUseBytes: 50 * MiB, mmappedBytes: 10 * MiB, freeKeptBytes: 60 * MiB, trimmableBytes: 0 },
  };

  it('Node: JS heap (resident) and external, code, and the rest, summing to RES', () => {
    const account = buildAccount(node, 412 * MiB, code);
    assert.deepStrictEqual(
      account.terms.map((term) => [term.key, term.bytes / MiB]),
      [
        ['jsHeap', 170],
        ['external', 200],
        ['code', 30],
        ['rest', 12],
      ],
    );
    assert.strictEqual(
      accountText(account),
      'RES 412.0 MiB: JS heap 170.0 MiB (120.0 MiB used of 180.0 MiB) · external 200.0 MiB (150.0 MiB of it ArrayBuffers and Buffers) · code and libraries 30.0 MiB · the rest 12.0 MiB',
    );
    assert.ok(account.notes.some((note) => note.includes('not known for Node')));
  });

  it('the rest is shown when negative, with why', () => {
    const account = buildAccount(native, 100 * MiB, code);
    assert.strictEqual(account.terms.at(-1)?.bytes, -50 * MiB);
    assert.match(account.notes[0], /come to 50\.0 MiB more than RES: they count memory that is not resident/);
    assert.strictEqual(
      account.terms.reduce((sum, term) => sum + term.bytes, 0),
      100 * MiB,
    );
  });

  it('a figure that cannot be had is named, and stays in the rest', () => {
    const account = buildAccount(
      {
        runtime: 'python',
        version: '3.12',
        allocatedBlocks: 5,
        gcCounts: [1, 2, 3],
        malloc: { unavailable: 'not glibc (musl or another C library): it has no mallinfo2()' },
      },
      64 * MiB,
      { unavailable: 'no /proc/PID/smaps at this stop (permission denied)' },
    );
    assert.deepStrictEqual(
      account.terms.map((term) => term.key),
      ['rest'],
    );
    assert.ok(
      account.notes.includes("malloc's figures: not glibc (musl or another C library): it has no mallinfo2()."),
    );
    assert.ok(account.notes.some((note) => note.startsWith('Code and libraries: no /proc/PID/smaps')));
    assert.match(accountMarkdown({ status: 'ok', account }), /musl/);
  });

  it('the change of each term between two stops', () => {
    const before = buildAccount(native, 200 * MiB, code);
    const after = buildAccount(
      { runtime: 'native', malloc: { ...native.malloc, inUseBytes: 20 * MiB, freeKeptBytes: 90 * MiB } },
      200 * MiB,
      code,
    );
    const change = accountChange(before, after)!;
    assert.strictEqual(
      accountChangeText(change),
      'RES ±0 B: in use by malloc -30.0 MiB · free but kept by malloc +30.0 MiB · code and libraries ±0 B · the rest ±0 B',
    );
    assert.strictEqual(accountChange(before, buildAccount(node, 1, code)), undefined, 'not across runtimes');
  });

  it('reasons and hostile text are escaped in the hover', () => {
    const markdown = accountMarkdown({ status: 'unavailable', reason: '[click](command:x) <img> `code`' });
    assert.ok(!markdown.includes('[click](command'), markdown);
    assert.ok(!markdown.includes('<img>'), markdown);
  });

  it('recordings: an account read back whole, bounded, or not at all', () => {
    const account = buildAccount(node, 412 * MiB, code);
    assert.deepStrictEqual(readAccount(JSON.parse(JSON.stringify(account))), account);
    assert.strictEqual(readAccount({ ...account, runtime: 'java' }), undefined);
    assert.strictEqual(readAccount({ ...account, terms: [{ key: 'evil', bytes: 1 }] }), undefined);
    assert.strictEqual(readAccount({ ...account, terms: [{ key: 'rest', bytes: 1.5 }] }), undefined);
    assert.strictEqual(readAccount({ ...account, terms: Array(100).fill({ key: 'rest', bytes: 1 }) }), undefined);
    assert.strictEqual(readAccount('x'), undefined);
    const long = readAccount({ ...account, notes: Array(100).fill('n'.repeat(10000)), facts: [{ label: 1 }] })!;
    assert.strictEqual(long.notes.length, 12);
    assert.strictEqual(long.notes[0].length, 300);
    assert.deepStrictEqual(long.facts, []);
  });
});

describe('the account’s docs', () => {
  it('document every term completely, and the README lists them', () => {
    assert.deepStrictEqual(Object.keys(ACCOUNT_DOCS).sort(), Object.keys(ACCOUNT_TERM_LABELS).sort());
    const markdown = memoryDocsMarkdown();
    for (const doc of Object.values(ACCOUNT_DOCS)) {
      for (const field of ['label', 'title', 'summary', 'details', 'source'] as const) {
        assert.ok(doc[field].trim().length > 0, `${doc.label}.${field}`);
      }
      assert.ok(markdown.includes(`**${doc.label}**`), doc.label);
    }
  });
});
