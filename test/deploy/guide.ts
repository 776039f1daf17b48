/**
 * Reading the README's "Deploy on AWS" section as commands: its sh code blocks, split into
 * commands and words the way a POSIX shell would for what the guide uses (quotes, backslash line
 * continuations, comments, `&&`, redirections), and the parameters serverless.yml reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './package.ts';

/** The text of `## title` up to the next `## ` heading. */
export function markdownSection(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const next = md.indexOf('\n## ', start + 4);
  return md.slice(start + 1, next < 0 ? undefined : next);
}

/** The bodies of the ```sh blocks. */
export function shellBlocks(md: string): string[] {
  return [...md.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/**
 * One shell command per entry, as words. Quotes are removed, `$VAR` and `"$VAR"` stay as written,
 * `# comments` are dropped, `&&`, `;` and `|` end a command, and `<`, `>` stay words of their own.
 */
export function shellCommands(block: string): string[][] {
  const text = block.replace(/\\\n/g, ' ');
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = (): void => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let v = '';
      for (; text[j] !== '"'; j++) v += text[j] === '\\' && /["\\$`]/.test(text[j + 1]) ? text[++j] : text[j];
      word = (word ?? '') + v;
      i = j;
    } else if (c === '#' && word === undefined) {
      while (i < text.length && text[i] !== '\n') i++;
      endCommand();
    } else if (c === '\n' || c === ';' || c === '|' || (c === '&' && text[i + 1] === '&')) {
      if (c === '&') i++;
      endCommand();
    } else if (c === ' ' || c === '\t') endWord();
    else if ((c === '<' || c === '>') && word === undefined && text[i + 1] !== '(') {
      words.push(c);
    } else word = (word ?? '') + c;
  }
  endCommand();
  return commands;
}

/** Every command of the section whose words start with `prefix`. */
export function commandsStartingWith(section: string, prefix: string[]): string[][] {
  return shellBlocks(section)
    .flatMap(shellCommands)
    .filter((w) => prefix.every((p, i) => w[i] === p));
}

/** `--param=K=V` / `--param K=V` words as a map. */
export function paramsOf(words: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const v = words[i].startsWith('--param=') ? words[i].slice('--param='.length) : words[i] === '--param' ? words[++i] : undefined;
    if (v === undefined) continue;
    const eq = v.indexOf('=');
    if (eq < 1) throw new Error(`--param without key=value: ${v}`);
    if (out.has(v.slice(0, eq))) throw new Error(`--param ${v.slice(0, eq)} given twice`);
    out.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return out;
}

export function optionOf(words: string[], name: string): string | undefined {
  const i = words.indexOf(name);
  return i < 0 ? undefined : words[i + 1];
}

export interface StackParams {
  /** Read with no fallback and no default: a deploy without them stops. */
  required: string[];
  /** Read with a fallback (`${param:x, null}`) or with a value under `params.default`. */
  optional: string[];
  defaults: Record<string, string>;
}

/** The `${param:…}` references of serverless.yml and infra/*.yml, and serverless.yml's defaults. */
export function stackParams(): StackParams {
  const sls = readFileSync(join(REPO, 'serverless.yml'), 'utf8');
  const texts = [sls, ...readdirSync(join(REPO, 'infra')).filter((f) => f.endsWith('.yml')).map((f) => readFileSync(join(REPO, 'infra', f), 'utf8'))];
  const used = new Map<string, boolean>();
  for (const t of texts) {
    for (const m of t.matchAll(/\$\{param:([A-Za-z0-9_]+)\s*(,[^}]*)?\}/g)) used.set(m[1], (used.get(m[1]) ?? false) || m[2] !== undefined);
  }
  const defaults: Record<string, string> = {};
  const lines = sls.split('\n');
  let inParams = false;
  let stage = '';
  for (const line of lines) {
    if (/^\S/.test(line)) inParams = line.startsWith('params:');
    if (!inParams) continue;
    const s = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (s) stage = s[1];
    const k = /^ {4}([A-Za-z0-9_]+):\s*(.*)$/.exec(line);
    if (k && stage === 'default') defaults[k[1]] = k[2].replace(/^'(.*)'$/, '$1');
  }
  const names = [...used.keys()].sort();
  return {
    required: names.filter((n) => !used.get(n) && !(n in defaults)),
    optional: names.filter((n) => used.get(n) || n in defaults),
    defaults,
  };
}
