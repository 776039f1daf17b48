/**
 * XAPI's RRD export (`GET /rrd_updates?start=…&cf=AVERAGE&host=true&interval=…[&json=true]`),
 * parsed into a typed result. Pure.
 *
 * The format (xcp-rrd's rrd_updates.ml, which every xapi host serves for itself and its resident
 * VMs): rrdtool's `xport` document
 *   <xport><meta><start/><step/><end/><rows/><columns/><legend><entry>AVERAGE:host:UUID:cpu0</entry>…
 *   </legend></meta><data><row><t>1700000060</t><v>0.0123</v>…</row>…</data></xport>
 * or, with `json` in the query, {"meta":{start,step,end,rows,columns,legend:[…]},"data":[{"t":…,
 * "values":[…]}]}: current xapi writes strict JSON with every value a string ("0.0123", "NaN"),
 * older xapi a JavaScript literal with bare keys and bare numbers (NaN included); both are read.
 * Rows come newest first; values are printed with 5 significant digits ("%0.5g"), so byte counts
 * such as `memory` are approximate. A legend entry is CF:KIND:UUID:NAME (KIND host, vm or sr).
 *
 * NaN (and ±Infinity: no usable reading either) becomes null; a data source that is not in the
 * legend is absent from the object's series (undefined), never 0.
 */
import { child, parseLooseJson, parseXml, RrdSyntaxError, type LooseJson, type XmlElement } from './rrd-syntax.ts';

export type RrdValue = number | null;

/** One legend entry, split: `AVERAGE:vm:<uuid>:cpu0` → cf AVERAGE, kind vm, uuid, name cpu0. */
export interface RrdColumn {
  cf: string;
  kind: string;
  uuid: string;
  name: string;
}

/** The series of one host, VM or SR: `${cf}:${name}` → values aligned with RrdUpdates.times. */
export interface RrdObject {
  kind: string;
  uuid: string;
  series: Map<string, RrdValue[]>;
}

export interface RrdUpdates {
  /** Epoch seconds, as the export's meta says. */
  start: number;
  step: number;
  end: number;
  /** Row times (epoch seconds), oldest first (the export sends newest first). */
  times: number[];
  columns: RrdColumn[];
  /** By `${kind}:${uuid}`, in legend order. */
  objects: Map<string, RrdObject>;
}

/** The document is not an RRD export (or is cut short); the message says where. */
export class RrdFormatError extends Error {
  constructor(message: string) {
    super(`rrd_updates: ${message}`);
    this.name = 'RrdFormatError';
  }
}

/** Either form: XML when the text starts with `<`, JSON otherwise. */
export function parseRrdUpdates(text: string): RrdUpdates {
  return text.trimStart().startsWith('<') ? parseRrdUpdatesXml(text) : parseRrdUpdatesJson(text);
}

export function parseRrdUpdatesXml(text: string): RrdUpdates {
  const root = syntax(() => parseXml(text));
  if (root.name !== 'xport') throw new RrdFormatError(`the root element is <${root.name}>, not <xport>`);
  return syntax(() => {
    const meta = child(root, 'meta');
    const legend = child(meta, 'legend').children.filter((e) => e.name === 'entry').map((e) => e.text);
    const rows = child(root, 'data')
      .children.filter((e) => e.name === 'row')
      .map((row, i) => ({
        t: integer(`row ${i} <t>`, child(row, 't').text),
        values: row.children.filter((e) => e.name === 'v').map((v: XmlElement) => v.text),
      }));
    return build(
      {
        start: integer('<start>', child(meta, 'start').text),
        step: integer('<step>', child(meta, 'step').text),
        end: integer('<end>', child(meta, 'end').text),
        rows: integer('<rows>', child(meta, 'rows').text),
        columns: integer('<columns>', child(meta, 'columns').text),
      },
      legend,
      rows,
    );
  });
}

export function parseRrdUpdatesJson(text: string): RrdUpdates {
  const doc = syntax(() => parseLooseJson(text));
  const meta = field(doc, 'meta', 'the document');
  const legend = field(meta, 'legend', 'meta');
  if (!Array.isArray(legend) || !legend.every((e) => typeof e === 'string')) throw new RrdFormatError('meta.legend is not a list of strings');
  const data = field(doc, 'data', 'the document');
  if (!Array.isArray(data)) throw new RrdFormatError('data is not a list');
  const rows = data.map((row, i) => {
    const values = field(row, 'values', `data[${i}]`);
    if (!Array.isArray(values)) throw new RrdFormatError(`data[${i}].values is not a list`);
    return { t: integer(`data[${i}].t`, field(row, 't', `data[${i}]`)), values };
  });
  return build(
    {
      start: integer('meta.start', field(meta, 'start', 'meta')),
      step: integer('meta.step', field(meta, 'step', 'meta')),
      end: integer('meta.end', field(meta, 'end', 'meta')),
      rows: integer('meta.rows', field(meta, 'rows', 'meta')),
      columns: integer('meta.columns', field(meta, 'columns', 'meta')),
    },
    legend as string[],
    rows,
  );
}

/** The object of that kind and uuid, if the export has it. */
export function rrdObject(u: RrdUpdates, kind: string, uuid: string): RrdObject | undefined {
  return u.objects.get(`${kind}:${uuid.toLowerCase()}`);
}

/** One data source of an object (undefined when the export does not carry it). */
export function rrdSeries(o: RrdObject, name: string, cf = 'AVERAGE'): RrdValue[] | undefined {
  return o.series.get(`${cf}:${name}`);
}

/** The names of an object's data sources for one CF, in legend order. */
export function rrdSourceNames(o: RrdObject, cf = 'AVERAGE'): string[] {
  const prefix = `${cf}:`;
  return [...o.series.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}

/** An RRD value as text ("0.0123", "1.718e+10", "NaN", "Infinity") or a JSON number: a number, or null when not finite. */
export function rrdValue(where: string, v: unknown): RrdValue {
  const x = readValue(v);
  if (x === undefined) throw new RrdFormatError(`${where}: ${notANumber(v)}`);
  return x;
}

/** The value, or undefined when it is not one (an export holds hundreds of thousands: no throw, no regex on the common path). */
function readValue(v: unknown): RrdValue | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return undefined;
  const fast = plainNumber(v);
  if (fast !== undefined) return fast;
  const s = v.trim();
  if (/^[+-]?(?:nan|inf|infinity)$/i.test(s)) return null;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

function notANumber(v: unknown): string {
  return typeof v === 'string' ? `"${v.trim().slice(0, 30)}" is not a number` : `expected a number, got ${v === null ? 'null' : typeof v}`;
}

/**
 * A decimal number written plainly (a sign, digits, a point, an exponent: what xapi prints), read
 * with Number(); undefined sends anything else (spaces, words, hex) to the careful path.
 */
function plainNumber(s: string): RrdValue | undefined {
  const c0 = s.charCodeAt(0);
  const leads = (c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 43 || c0 === 46;
  if (!leads) return undefined;
  // Number() also reads 0x.., 0b.., 0o..: not a figure xapi writes.
  const c1 = s.charCodeAt(1);
  if (c0 === 48 && (c1 === 120 || c1 === 88 || c1 === 98 || c1 === 66 || c1 === 111 || c1 === 79)) return undefined;
  const c = s.charCodeAt(s.length - 1);
  if (c === 32 || c === 9 || c === 10 || c === 13) return undefined;
  const n = Number(s);
  if (Number.isNaN(n)) return undefined;
  return Number.isFinite(n) ? n : null;
}

/** A legend entry split; RrdFormatError unless it is CF:KIND:UUID:NAME. */
export function rrdColumn(entry: string): RrdColumn {
  // A data source name has no colon; the uuid is what lies between the kind and the name.
  const a = entry.indexOf(':');
  const b = entry.indexOf(':', a + 1);
  const z = entry.lastIndexOf(':');
  if (a <= 0 || b <= a + 1 || z <= b + 1 || z === entry.length - 1) throw new RrdFormatError(`legend entry "${entry.slice(0, 120)}" is not CF:KIND:UUID:NAME`);
  return { cf: entry.slice(0, a), kind: entry.slice(a + 1, b), uuid: entry.slice(b + 1, z).toLowerCase(), name: entry.slice(z + 1) };
}

interface Meta {
  start: number;
  step: number;
  end: number;
  rows: number;
  columns: number;
}

function build(meta: Meta, legend: string[], rows: Array<{ t: number; values: unknown[] }>): RrdUpdates {
  if (meta.step <= 0) throw new RrdFormatError(`step ${meta.step} is not positive`);
  if (meta.columns !== legend.length) throw new RrdFormatError(`meta says ${meta.columns} columns, the legend has ${legend.length}`);
  if (meta.rows !== rows.length) throw new RrdFormatError(`meta says ${meta.rows} rows, the data has ${rows.length} (cut short?)`);
  const columns = legend.map(rrdColumn);
  rows.forEach((r, i) => {
    if (r.values.length !== columns.length) throw new RrdFormatError(`row ${i} (t=${r.t}) has ${r.values.length} values for ${columns.length} columns`);
  });
  const order = rows.map((r, i) => ({ t: r.t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
  const objects = new Map<string, RrdObject>();
  let o: RrdObject | undefined;
  const series = columns.map((c) => {
    // A legend lists an object's sources together: look the object up only when it changes.
    if (!o || o.kind !== c.kind || o.uuid !== c.uuid) {
      const key = `${c.kind}:${c.uuid}`;
      o = objects.get(key);
      if (!o) objects.set(key, (o = { kind: c.kind, uuid: c.uuid, series: new Map() }));
    }
    const values = new Array<RrdValue>(order.length);
    o.series.set(`${c.cf}:${c.name}`, values);
    return values;
  });
  order.forEach(({ i }, r) => {
    const row = rows[i].values;
    for (let ci = 0; ci < series.length; ci++) {
      const x = readValue(row[ci]);
      if (x === undefined) throw new RrdFormatError(`row t=${rows[i].t} ${legend[ci]}: ${notANumber(row[ci])}`);
      series[ci][r] = x;
    }
  });
  return { start: meta.start, step: meta.step, end: meta.end, times: order.map((o) => o.t), columns, objects };
}

function integer(where: string, v: LooseJson | string | undefined): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new RrdFormatError(`${where}: expected an integer, got ${JSON.stringify(v)?.slice(0, 30)}`);
  return n;
}

function field(o: LooseJson | undefined, key: string, where: string): LooseJson {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new RrdFormatError(`${where} is not an object`);
  const v = o[key];
  if (v === undefined) throw new RrdFormatError(`${where} has no "${key}"`);
  return v;
}

function syntax<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RrdSyntaxError) throw new RrdFormatError(e.message);
    throw e;
  }
}
