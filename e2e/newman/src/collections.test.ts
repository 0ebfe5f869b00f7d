import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collections, COLLECTIONS_DIR, variables } from './run.js';

interface Item {
  name: string;
  request: { method: string; url: string; body?: { raw: string } };
  event?: { listen: string; script: { exec: string[] } }[];
}

const endpoints = {
  coordination: 'http://c',
  catalog: 'http://p',
  inventory: 'http://i',
  orders: 'http://o',
  delivery: 'http://d',
  notifications: 'http://n',
};
const given = new Set(variables(endpoints, 'x'.repeat(32)).map((variable) => variable.key));

describe('the Newman collections', () => {
  const files = collections();

  it('are the three suites', () => {
    expect(files.map((file) => file.split('.')[0])).toEqual([
      'registry-and-config',
      'bad-input',
      'storefront-journey',
    ]);
  });

  for (const file of files) {
    it(`${file}: every script parses, every request asserts, every variable is given or set before use`, () => {
      const { item } = JSON.parse(readFileSync(join(COLLECTIONS_DIR, file), 'utf8')) as { item: Item[] };
      const set = new Set(given);
      for (const request of item) {
        const scripts = request.event ?? [];
        for (const event of scripts) {
          const source = event.script.exec.join('\n');
          // The sandbox runs a script as a function body (a top-level `return` is allowed).
          expect(() => new Function('pm', source), `${request.name} (${event.listen})`).not.toThrow();
        }
        expect(
          scripts.some(
            (event) => event.listen === 'test' && event.script.exec.join('\n').includes('pm.test('),
          ),
          `${request.name} asserts something`,
        ).toBe(true);
        for (const event of scripts.filter((candidate) => candidate.listen === 'prerequest')) {
          for (const [, name] of event.script.exec
            .join('\n')
            .matchAll(/collectionVariables\.set\('([^']+)'/g)) {
            set.add(name!);
          }
        }
        const text = `${request.request.url} ${request.request.body?.raw ?? ''}`;
        for (const [, name] of text.matchAll(/\{\{([^}$]+)\}\}/g)) {
          expect(set.has(name!), `${request.name} uses {{${name}}} before it is set`).toBe(true);
        }
        for (const event of scripts) {
          for (const [, name] of event.script.exec
            .join('\n')
            .matchAll(/collectionVariables\.set\('([^']+)'/g)) {
            set.add(name!);
          }
        }
        // Bodies are JSON, except the one that is malformed on purpose.
        if (request.request.body && !request.name.startsWith('Malformed')) {
          expect(() => JSON.parse(request.request.body!.raw), request.name).not.toThrow();
        }
      }
    });
  }
});
