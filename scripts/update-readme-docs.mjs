// Regenerates the "What the numbers mean" section of README.md from shared/memoryDocs.ts, the one
// place the explanations are written (test/unit/readmeDocs.test.ts fails when they drift).
// Run after `npm run compile-tests`: node scripts/update-readme-docs.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { memoryDocsMarkdown } = require('../out/shared/memoryDocs.js');
const START = '<!-- memory-docs:start (generated from shared/memoryDocs.ts by scripts/update-readme-docs.mjs) -->';
const END = '<!-- memory-docs:end -->';

const readme = readFileSync('README.md', 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) {
  throw new Error('README.md lacks the memory-docs markers');
}
writeFileSync('README.md', `${readme.slice(0, from + START.length)}\n${memoryDocsMarkdown()}\n${readme.slice(to)}`);
