/**
 * The shape of lib/ as its imports show it: no import cycle between files (type imports count),
 * none between the top folders, another folder reached only through its index.ts, the core never
 * importing Slack, and the simulators imported only by the local runner and the CLI. Read from the sources, so a new cycle fails here first.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIB = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import and re-export of a file, type-only ones included, resolved to a path. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) out.push(resolve(dirname(file), m[1]));
  for (const m of text.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) out.push(resolve(dirname(file), m[1]));
  return out;
}

/** The relative imports a bundle keeps: `import type` and `export type` are erased at build time. */
export function valueImportsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s(?!type\s)[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) out.push(resolve(dirname(file), m[1]));
  for (const m of text.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) out.push(resolve(dirname(file), m[1]));
  return out;
}

/** The strongly connected parts of more than one node (Tarjan): each is a cycle. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(part.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = sources(LIB);
const fileGraph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));
const top = (f: string): string => relative(LIB, f).split('/')[0];
const folderGraph = new Map<string, string[]>();
for (const [f, deps] of fileGraph) {
  const from = top(f);
  const to = new Set(folderGraph.get(from) ?? []);
  for (const d of deps) if (top(d) !== from) to.add(top(d));
  folderGraph.set(from, [...to]);
}

// The API's schemas are compiled for the browser too (the dashboard types its client with them):
// the pure modules they need are imported by path, as a folder's index.ts brings Node along.
const BROWSER_SAFE = new Set(['api/schemas/schedules.ts -> schedules/model.ts', 'api/schemas/import.ts -> onboard/match-state.ts']);
// The Lambda bundles load the BMC clients on first use (lib/ops/lazy-driver.ts). esbuild splits
// chunks by file, and a folder's index.ts names every file of the folder: a code path that needs
// only an error class or the SDR record packing imports that leaf module by path instead.
const SPLIT_SAFE = new Set([
  // The AWS wiring loads the Scheduler and Secrets Manager SDKs on their first call.
  'aws/wiring.ts -> schedules/scheduler-sdk.ts',
  'aws/wiring.ts -> store/secrets-sdk.ts',
  // Not through store/index.ts, which would put the SDK in every bundle's cold start.
  'cli/secrets-command.ts -> store/secrets-sdk.ts',
  'fleet/sweep-types.ts -> ipmi/errors.ts',
  'ops/command-outcome.ts -> ipmi/errors.ts',
  'ops/command-outcome.ts -> redfish/errors.ts',
  'ops/sensor-poll.ts -> fleet/sweep-types.ts',
  'store/sdr-cache.ts -> ipmi/sdr/sdr-cache.ts',
]);

describe('imports in lib/', () => {
  it('the checker finds a cycle when there is one', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
    expect(importsOf('/x/lib/a/f.ts', "import type { T } from '../b/g.ts';\nexport { y } from './h.ts';\nconst m = await import('./lazy.ts');")).toEqual(['/x/lib/b/g.ts', '/x/lib/a/h.ts', '/x/lib/a/lazy.ts']);
    expect(valueImportsOf('/x/lib/a/f.ts', "import type { T } from '../b/g.ts';\nexport type { U } from './u.ts';\nexport { y } from './h.ts';\nimport { z, type Z } from './z.ts';")).toEqual(['/x/lib/a/h.ts', '/x/lib/a/z.ts']);
  });

  it('no import cycle between files (type imports count)', () => {
    expect(cycles(fileGraph).map((c) => c.map((f) => relative(LIB, f)))).toEqual([]);
  });

  it('no cycle between the top folders', () => {
    expect(cycles(folderGraph)).toEqual([]);
  });

  it("another folder is reached only through its index.ts (lib/types holds declarations only)", () => {
    const around: string[] = [];
    for (const [f, deps] of fileGraph) {
      for (const d of deps) {
        const to = top(d);
        if (to === top(f) || to === 'types' || !relative(LIB, d).includes('/')) continue;
        const edge = `${relative(LIB, f)} -> ${relative(LIB, d)}`;
        if (relative(LIB, d) !== `${to}/index.ts` && !BROWSER_SAFE.has(edge) && !SPLIT_SAFE.has(edge)) around.push(edge);
      }
    }
    expect(around).toEqual([]);
  });

  it('a module imported by path past its index is a leaf: nothing it imports reaches a folder index', () => {
    const leaks: string[] = [];
    for (const edge of SPLIT_SAFE) {
      const target = join(LIB, edge.split(' -> ')[1]);
      const seen = new Set([target]);
      const queue = [target];
      for (let f = queue.shift(); f; f = queue.shift()) {
        for (const d of valueImportsOf(f, readFileSync(f, 'utf8'))) {
          if (seen.has(d)) continue;
          seen.add(d);
          if (d.endsWith('/index.ts') && relative(LIB, d) !== 'util/index.ts') leaks.push(`${edge}: ${relative(LIB, f)} -> ${relative(LIB, d)}`);
          else queue.push(d);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('the core does not know Slack, and product code does not import the simulators', () => {
    const users = (folder: string) => [...fileGraph].filter(([f, deps]) => top(f) !== folder && deps.some((d) => top(d) === folder)).map(([f]) => top(f));
    expect(new Set(users('slack'))).not.toContain('ops');
    expect([...new Set(users('sim'))].sort()).toEqual(['cli', 'local']);
  });
});
