import * as assert from 'assert';
import { MAPPING_DOCS, MEMORY_ADVICE, MEMORY_DOCS, memoryDocsMarkdown, TOP_FIGURES } from '../../shared/memoryDocs';
import { MAPPING_KINDS } from '../../shared/model';

describe('memoryDocs', () => {
  it('documents every figure completely', () => {
    for (const [figure, doc] of [...Object.entries(MEMORY_DOCS), ...Object.entries(MAPPING_DOCS)]) {
      for (const field of ['label', 'title', 'summary', 'details', 'source'] as const) {
        assert.ok(doc[field].trim().length > 0, `${figure}.${field} is empty`);
      }
    }
  });

  it('documents every kind of mapping the engine sorts smaps into, and no other', () => {
    assert.deepStrictEqual(Object.keys(MAPPING_DOCS).sort(), [...MAPPING_KINDS].sort());
    for (const doc of Object.values(MAPPING_DOCS)) {
      assert.ok(doc.source.startsWith('/proc/PID/smaps'), doc.label);
    }
  });

  it("names top's three figures in top's order, each sourced from statm", () => {
    assert.deepStrictEqual(
      TOP_FIGURES.map((figure) => MEMORY_DOCS[figure].label),
      ['VIRT', 'RES', 'SHR'],
    );
    for (const figure of TOP_FIGURES) {
      assert.ok(MEMORY_DOCS[figure].source.includes('/proc/PID/statm'), figure);
    }
  });

  it('renders every figure and every piece of advice in the Markdown', () => {
    const markdown = memoryDocsMarkdown();
    for (const doc of [...Object.values(MEMORY_DOCS), ...Object.values(MAPPING_DOCS)]) {
      assert.ok(markdown.includes(`**${doc.label}**`), doc.label);
      assert.ok(markdown.includes(doc.source), doc.source);
    }
    for (const advice of MEMORY_ADVICE) {
      assert.ok(markdown.includes(`- ${advice}`));
    }
  });
});
