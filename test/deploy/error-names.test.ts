/**
 * The Lambda bundles are minified without esbuild's keepNames (serverless.yml: ~40 KB less code
 * to compile at each cold start), so a class's own name becomes a short identifier there. An
 * error that names itself must therefore say its name: this fails when lib reads a class name at
 * run time (`new.target.name`, `constructor.name`), or when a class extends an error that names
 * itself without naming itself (it would carry its parent's name).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './package.ts';

// The simulators and the local runner are never bundled into a function.
const NOT_BUNDLED = ['lib/sim/', 'lib/local/', 'lib/cli/'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = [...sources(join(REPO, 'lib')), ...sources(join(REPO, 'functions'))]
  .map((p) => ({ path: relative(REPO, p), text: readFileSync(p, 'utf8') }))
  .filter((f) => !NOT_BUNDLED.some((d) => f.path.startsWith(d)));

interface ClassInfo {
  path: string;
  parent: string;
  named: boolean;
}

/** Every class of the bundled code: its parent and whether it declares its own `name`. */
function classes(): Map<string, ClassInfo> {
  const out = new Map<string, ClassInfo>();
  for (const f of files) {
    const heads = [...f.text.matchAll(/^(?:export )?class (\w+) extends (\w+)[^{]*\{/gm)];
    for (const [i, m] of heads.entries()) {
      const body = f.text.slice(m.index + m[0].length, heads[i + 1]?.index ?? f.text.length);
      out.set(m[1], { path: f.path, parent: m[2], named: /^\s*(?:override )?readonly name: string = '(\w+)';/m.test(body) && new RegExp(`readonly name: string = '${m[1]}';`).test(body) });
    }
  }
  return out;
}

describe('error names without keepNames', () => {
  it('no bundled code reads a class name at run time', () => {
    const readers = files.filter((f) => /new\.target\.name|\bconstructor\.name\b/.test(f.text)).map((f) => f.path);
    expect(readers).toEqual([]);
  });

  it('a class that extends an error naming itself names itself too, with its own class name', () => {
    const all = classes();
    const namesItself = (c: string): boolean => all.get(c)?.named === true;
    // The families that name themselves must be found (else this test checks nothing).
    for (const base of ['IpmiError', 'RedfishError', 'StoreError', 'SecretsError']) expect(namesItself(base), base).toBe(true);
    const unnamed: string[] = [];
    for (const [name, c] of all) {
      let p: string | undefined = c.parent;
      while (p && all.has(p) && !namesItself(p)) p = all.get(p)?.parent;
      if (p && namesItself(p) && !c.named) unnamed.push(`${c.path}: ${name}`);
    }
    expect(unnamed).toEqual([]);
  });
});
