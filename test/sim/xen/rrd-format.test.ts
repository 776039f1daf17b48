/**
 * The simulator writes values as xapi's f_to_s does: C's "%0.5g" (the expected strings are what
 * C's printf gives), "0.0" for zero, NaN and Infinity by name; and the xport XML and strict JSON
 * it writes read back to what was written.
 */
import { describe, expect, it } from 'vitest';
import { formatRrdValue, rrdJson, rrdXml, type RrdDocument } from '../../../lib/sim/xen/rrd-format.ts';
import { parseRrdUpdates, rrdObject, rrdSeries } from '../../../lib/xen/rrd-updates.ts';

describe('rrd format', () => {
  it('prints values as %0.5g', () => {
    const cases: Array<[number, string]> = [
      [0.0123, '0.0123'],
      [17179869184, '1.718e+10'],
      [123456, '1.2346e+05'],
      [0.5, '0.5'],
      [1, '1'],
      [0.00001234, '1.234e-05'],
      [99999.5, '1e+05'],
      [12345.6, '12346'],
      [0.0001, '0.0001'],
      [-0.25, '-0.25'],
      [4294967296, '4.295e+09'],
      [0.000099999, '9.9999e-05'],
      [0, '0.0'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
    ];
    for (const [x, s] of cases) expect(formatRrdValue(x), String(x)).toBe(s);
  });

  it('writes XML and JSON that read back the same, newest row first', () => {
    const doc: RrdDocument = {
      start: 60,
      step: 60,
      end: 120,
      legend: ['AVERAGE:host:h-1:cpu0', 'AVERAGE:vm:v-1:memory'],
      rows: [
        { t: 120, values: [0.25, 8589934592] },
        { t: 60, values: [NaN, 8589934592] },
      ],
    };
    const xml = rrdXml(doc);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><xport><meta><start>60</start><step>60</step><end>120</end><rows>2</rows><columns>2</columns><legend><entry>AVERAGE:host:h-1:cpu0</entry><entry>AVERAGE:vm:v-1:memory</entry></legend></meta><data><row><t>120</t><v>0.25</v><v>8.5899e+09</v></row><row><t>60</t><v>NaN</v><v>8.5899e+09</v></row></data></xport>',
    );
    const json = rrdJson(doc);
    expect(JSON.parse(json)).toEqual({
      meta: { start: 60, step: 60, end: 120, rows: 2, columns: 2, legend: doc.legend },
      data: [
        { t: 120, values: ['0.25', '8.5899e+09'] },
        { t: 60, values: ['NaN', '8.5899e+09'] },
      ],
    });
    const a = parseRrdUpdates(xml);
    expect(parseRrdUpdates(json)).toEqual(a);
    expect(rrdSeries(rrdObject(a, 'host', 'h-1')!, 'cpu0')).toEqual([null, 0.25]);
    expect(rrdSeries(rrdObject(a, 'vm', 'v-1')!, 'memory')).toEqual([8589900000, 8589900000]);
  });
});
