// package.json and src/contributions.ts name the same commands, views and settings.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const source = readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'contributions.ts'), 'utf8');

describe('contributions', () => {
  it('every command in package.json is in the Commands enum, with the Memory category', () => {
    for (const command of manifest.contributes.commands) {
      assert.ok(source.includes(`'${command.command}'`), `${command.command} missing from src/contributions.ts`);
      assert.equal(command.category, 'Memory');
    }
  });

  it('every command id in src/contributions.ts is contributed', () => {
    const ids = [...source.matchAll(/= '(procMemory\.[A-Za-z]+)'/g)]
      .map((match) => match[1])
      .filter(
        (id) =>
          !['procMemory.debugView', 'procMemory.inspect', 'procMemory.watching', 'procMemory.hasFocus'].includes(id),
      );
    const contributed = new Set(manifest.contributes.commands.map((command: { command: string }) => command.command));
    for (const id of ids) {
      assert.ok(contributed.has(id), `${id} is not in package.json`);
    }
  });

  it('every setting has a default and a description, and CONFIG_DEFAULTS agrees', () => {
    for (const section of manifest.contributes.configuration) {
      assert.ok(section.title);
      for (const [key, setting] of Object.entries<Record<string, unknown>>(section.properties)) {
        assert.ok(setting.description || setting.markdownDescription, `${key} has a description`);
        const short = key.replace('procMemory.', '');
        assert.match(
          source,
          new RegExp(`'?${short.replace('.', '\\.')}'?: ${JSON.stringify(setting.default)},`),
          `${key} default ${setting.default} in CONFIG_DEFAULTS`,
        );
      }
    }
  });

  it('the debug view is a webview view in Run and Debug', () => {
    assert.deepEqual(
      manifest.contributes.views.debug.map((view: { id: string; type: string }) => [view.id, view.type]),
      [['procMemory.debugView', 'webview']],
    );
  });
});
