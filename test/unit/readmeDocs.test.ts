// The README's explanation of the figures is generated from shared/memoryDocs.ts: this fails when
// someone edits one without the other (fix: node scripts/update-readme-docs.mjs).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { memoryDocsMarkdown } from '../../shared/memoryDocs';

describe('README memory docs', () => {
  it('match shared/memoryDocs.ts', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('<!-- memory-docs:start');
    const end = readme.indexOf('<!-- memory-docs:end -->');
    assert.ok(start >= 0 && end > start, 'README.md has the memory-docs markers');
    const section = readme.slice(readme.indexOf('-->', start) + 3, end).trim();
    assert.equal(section, memoryDocsMarkdown().trim());
  });
});
