import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jarsCurrent, listFiles } from './fetch.mjs';

/** A component whose pom and fetched jars live in a temporary folder. */
function fetched(files) {
  const dir = mkdtempSync(join(tmpdir(), 'fv-stack-jars-'));
  const component = { name: 'kafka', pom: join(dir, 'pom.xml') };
  writeFileSync(component.pom, '<project/>');
  const cfg = { jarsDir: join(dir, 'jars') };
  const jars = join(cfg.jarsDir, 'kafka');
  mkdirSync(join(jars, 'lib'), { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(jars, file), content);
  const manifest = (entries, pom = '<project/>') =>
    writeFileSync(
      join(jars, '.fetched.json'),
      JSON.stringify({ pomSha256: createHash('sha256').update(pom).digest('hex'), files: entries }),
    );
  return { cfg, component, jars, manifest };
}

test('listFiles: every file below the folder, sorted and relative, without the manifest', () => {
  const { jars, manifest } = fetched({ 'b.jar': 'b', 'lib/a.jar': 'a' });
  manifest([]);
  assert.deepEqual(listFiles(jars), ['b.jar', 'lib/a.jar']);
  assert.deepEqual(listFiles(join(jars, 'missing')), []);
});

test('jarsCurrent: only when the manifest matches the pom and every file is there at its size', () => {
  const { cfg, component, jars, manifest } = fetched({ 'kafka.jar': 'four', 'lib/a.jar': 'a' });
  assert.equal(jarsCurrent(cfg, component), false, 'no manifest yet');
  manifest([
    ['kafka.jar', 4],
    ['lib/a.jar', 1],
  ]);
  assert.equal(jarsCurrent(cfg, component), true);
  writeFileSync(join(jars, 'kafka.jar'), 'truncated'.slice(0, 2));
  assert.equal(jarsCurrent(cfg, component), false, 'a file of another size');
  writeFileSync(join(jars, 'kafka.jar'), 'four');
  manifest(
    [
      ['kafka.jar', 4],
      ['lib/a.jar', 1],
    ],
    '<project>changed</project>',
  );
  assert.equal(jarsCurrent(cfg, component), false, 'fetched for another pom');
  manifest([]);
  assert.equal(jarsCurrent(cfg, component), false, 'an empty fetch');
});
