/**
 * The library's log: events with fields as data, a terminal form that keeps each field readable
 * and parseable, and library code that passes fields instead of sentences built from them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorField, lineLog, logLine } from '../../lib/util/log.ts';

describe('logLine', () => {
  it('writes the event, then key=value for each field given, leaving undefined ones out', () => {
    expect(logLine('step', { operation: 'ab12cd34', step: 'shutdown', host: 'host-004', state: 'done', error: undefined })).toBe('step operation=ab12cd34 step=shutdown host=host-004 state=done');
    expect(logLine('operation')).toBe('operation');
  });

  it('quotes values with spaces, quotes or equals signs, and joins lists with commas', () => {
    expect(logLine('alert', { message: 'CPU1 Temp 96 C over critical', why: 'a "quoted" word', kv: 'a=b' })).toBe('alert message="CPU1 Temp 96 C over critical" why="a \\"quoted\\" word" kv="a=b"');
    expect(logLine('sweeper-enable-waiting', { hosts: ['h1', 'h2'], n: 2, ok: false, none: null })).toBe('sweeper-enable-waiting hosts=h1,h2 n=2 ok=false none=null');
    expect(logLine('x', { empty: '' })).toBe('x empty=""');
  });

  it('lineLog hands each event to the sink as one line; errorField reads any throwable', () => {
    const lines: string[] = [];
    const log = lineLog((l) => lines.push(l));
    log('a', { n: 1 });
    log('b');
    expect(lines).toEqual(['a n=1', 'b']);
    expect(errorField(new Error('boom'))).toBe('boom');
    expect(errorField('plain')).toBe('plain');
  });
});

const LIB = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib');
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
// The local runner's demo story and the chaos tool's report are prose written for a person; the CLI prints answers.
const PROSE = /^(cli\/|local\/chaos|local\/demo)/;

describe('library code logs fields, not sentences', () => {
  it('no log call in lib/ (outside the CLI, the demo and chaos) passes a template string', () => {
    const offenders: string[] = [];
    for (const p of sources(LIB)) {
      const rel = relative(LIB, p);
      if (PROSE.test(rel)) continue;
      readFileSync(p, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\blog\??\.?\(\s*`/.test(line)) offenders.push(`lib/${rel}:${i + 1}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
