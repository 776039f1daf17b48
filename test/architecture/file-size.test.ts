/**
 * lib/'s files stay small enough to read: none over 300 lines unless its opening comment says
 * why ("long because ..."). Read from the sources, so a file that grows past it fails here first.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIB = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib');
const MAX_LINES = 300;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The file's opening block comment, if it starts with one. */
function openingComment(text: string): string {
  const m = /^\s*\/\*\*?([\s\S]*?)\*\//.exec(text);
  return m ? m[1] : '';
}

/** Files over the limit whose opening comment gives no reason. */
function unexplainedLongFiles(files: Array<{ path: string; text: string }>, max = MAX_LINES): string[] {
  return files
    .filter(({ text }) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0) > max)
    .filter(({ text }) => !/\blong because\b/i.test(openingComment(text)))
    .map(({ path }) => path);
}

describe('lib/ file sizes', () => {
  it('the check flags a long file without a reason, and passes one with a reason or under the limit', () => {
    const long = Array.from({ length: 12 }, (_, i) => `const x${i} = ${i};`).join('\n') + '\n';
    expect(unexplainedLongFiles([{ path: 'a.ts', text: `/** A thing. */\n${long}` }], 10)).toEqual(['a.ts']);
    expect(unexplainedLongFiles([{ path: 'b.ts', text: `/**\n * A thing, long because its table is one.\n */\n${long}` }], 10)).toEqual([]);
    expect(unexplainedLongFiles([{ path: 'c.ts', text: 'const y = 1;\n' }], 10)).toEqual([]);
  });

  it(`no file in lib/ is over ${MAX_LINES} lines without a reason at its top`, () => {
    const files = sources(LIB).map((p) => ({ path: relative(LIB, p), text: readFileSync(p, 'utf8') }));
    expect(files.length).toBeGreaterThan(20);
    expect(unexplainedLongFiles(files)).toEqual([]);
  });
});
