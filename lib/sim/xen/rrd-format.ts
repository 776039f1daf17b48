/**
 * Writes an RRD export the way xcp-rrd's rrd_updates.ml does: rrdtool's `xport` XML, or (with
 * `json` in the query) the strict JSON of current xapi, every value a string. Values are printed as
 * its f_to_s prints them: "%0.5g" for a normal number, "0.0" for zero, "NaN", "Infinity".
 * Rows go newest first. Pure.
 */

export interface RrdDocument {
  start: number;
  step: number;
  end: number;
  /** CF:KIND:UUID:NAME per column. */
  legend: string[];
  /** Newest first; each row has one value per legend entry (NaN for unknown). */
  rows: Array<{ t: number; values: number[] }>;
}

/** C's "%0.5g" (5 significant digits, trailing zeros dropped, a 2-digit exponent at least), as xapi prints a value. */
export function formatRrdValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0.0';
  const [mantissa, e] = x.toExponential(4).split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 5) return `${trimZeros(mantissa)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return trimZeros(x.toFixed(4 - exp));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function rrdXml(d: RrdDocument): string {
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?><xport><meta>'];
  parts.push(`<start>${d.start}</start><step>${d.step}</step><end>${d.end}</end><rows>${d.rows.length}</rows><columns>${d.legend.length}</columns><legend>`);
  for (const entry of d.legend) parts.push(`<entry>${escapeXml(entry)}</entry>`);
  parts.push('</legend></meta><data>');
  for (const row of d.rows) {
    parts.push(`<row><t>${row.t}</t>`);
    for (const v of row.values) parts.push(`<v>${formatRrdValue(v)}</v>`);
    parts.push('</row>');
  }
  parts.push('</data></xport>');
  return parts.join('');
}

export function rrdJson(d: RrdDocument): string {
  return JSON.stringify({
    meta: { start: d.start, step: d.step, end: d.end, rows: d.rows.length, columns: d.legend.length, legend: d.legend },
    data: d.rows.map((r) => ({ t: r.t, values: r.values.map(formatRrdValue) })),
  });
}
