/**
 * The two syntaxes XAPI's RRD export is written in, read without a dependency: a minimal XML
 * reader (elements and text, enough for rrdtool's `xport` document; the declaration, comments and
 * a doctype are skipped, attributes ignored) and a tolerant JSON reader for the older export,
 * which xcp-rrd printed as a JavaScript literal: unquoted keys and bare NaN / Infinity values
 * (`{meta: {start:1,...}, data:[{t:1,values:[0.5,NaN]}]}`). Pure.
 */

export class RrdSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RrdSyntaxError';
  }
}

/** An XML element: its name, its child elements and its text (children's text left out). */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new RrdSyntaxError(`XML: unknown entity ${whole}`);
    return v;
  });
}

// A tag, a skipped construct (declaration, comment, doctype, CDATA is not used by xapi), or text.
const TOKEN = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gy;

/** The document's root element. Throws RrdSyntaxError on anything malformed. */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (!text.includes('>', at)) throw new RrdSyntaxError(`XML: a tag is cut short at offset ${at} (truncated document?)`);
      throw new RrdSyntaxError(`XML: unexpected "${text.slice(at, at + 20)}" at offset ${at}`);
    }
    const [, closing, name, , selfClosing, chars] = m;
    if (chars !== undefined) {
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(chars);
      else if (chars.trim() !== '') throw new RrdSyntaxError(`XML: text outside the root element at offset ${at}`);
      continue;
    }
    if (name === undefined) continue;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new RrdSyntaxError(`XML: </${name}> closes ${open ? `<${open.name}>` : 'nothing'} at offset ${at}`);
      continue;
    }
    const el: XmlElement = { name, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root) throw new RrdSyntaxError(`XML: a second root element <${name}> at offset ${at}`);
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length) throw new RrdSyntaxError(`XML: <${stack[stack.length - 1].name}> is never closed (truncated document?)`);
  if (!root) throw new RrdSyntaxError('XML: no root element');
  return root;
}

/** The one child of that name; RrdSyntaxError when there is none or more than one. */
export function child(el: XmlElement, name: string): XmlElement {
  const found = el.children.filter((c) => c.name === name);
  if (found.length !== 1) throw new RrdSyntaxError(`XML: <${el.name}> has ${found.length} <${name}> elements, expected 1`);
  return found[0];
}

export type LooseJson = string | number | boolean | null | LooseJson[] | { [key: string]: LooseJson };

/**
 * JSON, or the JavaScript literal older xapi wrote: keys may be bare identifiers and numbers may
 * be NaN, Infinity or -Infinity. Strict JSON goes through JSON.parse (fast); only what it refuses
 * is read by hand.
 */
export function parseLooseJson(text: string): LooseJson {
  try {
    return JSON.parse(text) as LooseJson;
  } catch {
    return new LooseReader(text).document();
  }
}

const WORD = /-?Infinity|NaN|true|false|null|-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\n]|\\.)*"/y;
const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const SPACE = /\s*/y;

class LooseReader {
  private i = 0;

  constructor(private readonly s: string) {}

  document(): LooseJson {
    const v = this.value();
    this.space();
    if (this.i < this.s.length) this.fail('text after the value');
    return v;
  }

  private value(): LooseJson {
    this.space();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    const word = this.match(WORD);
    if (word === undefined) this.fail('a value');
    switch (word) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'NaN':
        return NaN;
      default:
        return Number(word);
    }
  }

  private object(): { [key: string]: LooseJson } {
    const out: { [key: string]: LooseJson } = {};
    this.i++;
    this.space();
    if (this.s[this.i] === '}') return (this.i++, out);
    for (;;) {
      this.space();
      const key = this.s[this.i] === '"' ? this.string() : this.identifier();
      this.space();
      this.expect(':');
      out[key] = this.value();
      this.space();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      this.expect('}');
      return out;
    }
  }

  private array(): LooseJson[] {
    const out: LooseJson[] = [];
    this.i++;
    this.space();
    if (this.s[this.i] === ']') return (this.i++, out);
    for (;;) {
      out.push(this.value());
      this.space();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }

  private string(): string {
    const quoted = this.match(STRING);
    if (quoted === undefined) this.fail('a closed string');
    try {
      return JSON.parse(quoted) as string;
    } catch {
      return this.fail('a string with valid escapes');
    }
  }

  private identifier(): string {
    const key = this.match(IDENTIFIER);
    if (key === undefined) this.fail('a key');
    return key;
  }

  private expect(c: string): void {
    if (this.s[this.i] !== c) this.fail(`"${c}"`);
    this.i++;
  }

  private space(): void {
    this.match(SPACE);
  }

  /** The text the sticky pattern matches at the cursor (and the cursor moves past it), or undefined. */
  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.i;
    const m = pattern.exec(this.s);
    if (!m) return undefined;
    this.i = pattern.lastIndex;
    return m[0];
  }

  private fail(wanted: string): never {
    const near = this.s.slice(this.i, this.i + 20);
    throw new RrdSyntaxError(`JSON: expected ${wanted} at offset ${this.i}${near ? ` (near "${near}")` : ' (end of text: truncated?)'}`);
  }
}
