/**
 * The RRD export reader against the formats xapi writes (fixtures written by hand from xcp-rrd's
 * rrd_updates.ml): rrdtool's xport XML, the strict JSON of current xapi (values as strings) and
 * the JavaScript literal of older xapi (bare keys, bare NaN). The same export in the three forms
 * reads the same; NaN is null; a data source the export lacks is absent, not 0; broken or cut
 * documents are refused with a message that says what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { parseRrdUpdates, parseRrdUpdatesJson, parseRrdUpdatesXml, rrdColumn, rrdObject, rrdSeries, rrdSourceNames, RrdFormatError, rrdValue } from '../../lib/xen/rrd-updates.ts';
import { fixture, HOST, VM_A, VM_B } from './rrd-fixtures.ts';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return e;
  }
  throw new Error('expected a throw');
}

describe('rrd_updates: the three forms', () => {
  const xml = parseRrdUpdatesXml(fixture('rrd-updates.xml'));
  const json = parseRrdUpdatesJson(fixture('rrd-updates.json'));
  const legacy = parseRrdUpdatesJson(fixture('rrd-updates-legacy.json'));

  it('reads the XML export: meta, rows oldest first, values by object and source', () => {
    expect({ start: xml.start, step: xml.step, end: xml.end }).toEqual({ start: 1700000040, step: 60, end: 1700000160 });
    // xapi sends the newest row first; the result is oldest first.
    expect(xml.times).toEqual([1700000040, 1700000100, 1700000160]);
    expect(xml.columns).toHaveLength(12);
    expect(xml.columns[5]).toEqual({ cf: 'AVERAGE', kind: 'vm', uuid: VM_A, name: 'cpu0' });
    expect([...xml.objects.keys()]).toEqual([`host:${HOST}`, `vm:${VM_A}`, `vm:${VM_B}`]);
    const host = rrdObject(xml, 'host', HOST)!;
    expect(rrdSourceNames(host)).toEqual(['cpu0', 'cpu1', 'cpu_avg', 'memory_total_kib', 'memory_free_kib']);
    expect(rrdSeries(host, 'cpu0')).toEqual([0.1, 0.2, 0.5]);
    // 5 significant digits, as xapi prints them.
    expect(rrdSeries(host, 'memory_total_kib')).toEqual([67109000, 67109000, 67109000]);
    const a = rrdObject(xml, 'vm', VM_A)!;
    expect(rrdSeries(a, 'cpu0')).toEqual([0, 0.4, 0.8]);
    expect(rrdSeries(a, 'memory')).toEqual([8589900000, 8589900000, 8589900000]);
  });

  it('keeps NaN as null, never as 0', () => {
    const host = rrdObject(xml, 'host', HOST)!;
    expect(rrdSeries(host, 'cpu1')).toEqual([0.1, null, 0.3]);
    expect(rrdSeries(rrdObject(xml, 'vm', VM_A)!, 'memory_internal_free')).toEqual([2097200, null, 4194300]);
    expect(rrdSeries(rrdObject(xml, 'vm', VM_B)!, 'cpu0')).toEqual([null, 0.3, 0.1]);
  });

  it('reports a source the export lacks as missing (undefined), not 0', () => {
    const b = rrdObject(xml, 'vm', VM_B)!;
    expect(rrdSourceNames(b)).toEqual(['cpu0', 'memory']);
    expect(rrdSeries(b, 'memory_internal_free')).toBeUndefined();
    expect(rrdSeries(b, 'memory_target')).toBeUndefined();
    expect(rrdSeries(b, 'cpu0', 'MAX')).toBeUndefined();
    expect(rrdObject(xml, 'vm', 'ffffffff-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('reads the strict JSON and the legacy JavaScript literal to the same result as the XML', () => {
    expect(json).toEqual(xml);
    expect(legacy).toEqual(xml);
    expect(parseRrdUpdates(fixture('rrd-updates.json'))).toEqual(xml);
    expect(parseRrdUpdates(`\n  ${fixture('rrd-updates.xml')}`)).toEqual(xml);
    expect(parseRrdUpdates(fixture('rrd-updates-legacy.json'))).toEqual(xml);
  });

  it('reads pretty-printed XML, comments, entities and other CFs', () => {
    const doc = `<?xml version="1.0"?>
<!-- exported by hand -->
<xport>
  <meta>
    <start>10</start><step>5</step><end>15</end><rows>2</rows><columns>3</columns>
    <legend>
      <entry>AVERAGE:host:${HOST.toUpperCase()}:cpu0</entry>
      <entry>MAX:host:${HOST}:cpu0</entry>
      <entry>AVERAGE:sr:0a1b2c3d:io_throughput_read_0a1b2c3d</entry>
    </legend>
  </meta>
  <data>
    <row><t>15</t><v> 0.25 </v><v>1</v><v>-Infinity</v></row>
    <row><t>10</t><v>1e-05</v><v>Infinity</v><v>2.5e+06</v></row>
  </data>
</xport>`;
    const u = parseRrdUpdatesXml(doc);
    const host = rrdObject(u, 'host', HOST)!;
    expect(host.uuid).toBe(HOST);
    expect(rrdSeries(host, 'cpu0')).toEqual([0.00001, 0.25]);
    expect(rrdSeries(host, 'cpu0', 'MAX')).toEqual([null, 1]);
    expect(rrdSeries(rrdObject(u, 'sr', '0a1b2c3d')!, 'io_throughput_read_0a1b2c3d')).toEqual([2500000, null]);
    expect(parseRrdUpdatesXml(doc.replace('<entry>MAX:', '<entry>MAX&#58;').replace('<start>10</start>', '<start>1&#48;</start>')).start).toBe(10);
  });

  it('reads an export with no rows', () => {
    const u = parseRrdUpdatesJson('{"meta":{"start":60,"step":60,"end":0,"rows":0,"columns":1,"legend":["AVERAGE:host:h1:cpu0"]},"data":[]}');
    expect(u.times).toEqual([]);
    expect(rrdSeries(rrdObject(u, 'host', 'h1')!, 'cpu0')).toEqual([]);
  });
});

describe('rrd_updates: what is refused', () => {
  const xml = fixture('rrd-updates.xml');
  const json = fixture('rrd-updates.json');
  const legacy = fixture('rrd-updates-legacy.json');
  const cases: Array<[string, string, RegExp]> = [
    ['XML cut short', xml.slice(0, xml.length - 40), /never closed|truncated/],
    ['JSON cut short', json.slice(0, json.length - 30), /truncated|expected/],
    ['legacy JSON cut short', legacy.slice(0, legacy.length - 30), /truncated|expected/],
    ['a row missing from the data', xml.replace(/<row><t>1700000100<\/t>.*?<\/row>/, ''), /meta says 3 rows, the data has 2/],
    ['a value missing from a row', xml.replace('<v>0.3</v><v>4.295e+09</v>', '<v>4.295e+09</v>'), /row \d \(t=1700000100\) has 11 values for 12 columns/],
    ['columns not matching the legend', json.replace('"columns":12', '"columns":13'), /13 columns, the legend has 12/],
    ['a legend entry that is not CF:KIND:UUID:NAME', json.replace('AVERAGE:host:6f2c9a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b:cpu0', 'cpu0'), /legend entry "cpu0"/],
    ['a value that is not a number', json.replace('"0.8"', '"fast"'), /"fast" is not a number/],
    ['a value that is null', json.replace('"0.8"', 'null'), /expected a number, got null/],
    ['a time that is not an integer', xml.replace('<t>1700000160</t>', '<t>soon</t>'), /row 0 <t>: expected an integer/],
    ['another document', '<html><body><h1>HTTP 401 unauthorised</h1></body></html>', /root element is <html>/],
    ['mismatched tags', '<xport><meta></xport>', /closes <meta>/],
    ['a JSON document without meta', '{"data":[]}', /has no "meta"/],
    ['an empty answer', '', /expected a value|no root/],
    ['a zero step', json.replace('"step":60', '"step":0'), /step 0 is not positive/],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}`, () => {
      const e = thrown(() => parseRrdUpdates(text));
      expect(e).toBeInstanceOf(RrdFormatError);
      expect(e.message).toMatch(message);
    });
  }

  it('reads values as xapi prints them and nothing else', () => {
    expect(rrdValue('v', '0.0')).toBe(0);
    expect(rrdValue('v', '1.718e+10')).toBe(17180000000);
    expect(rrdValue('v', '-0.5')).toBe(-0.5);
    expect(rrdValue('v', 'nan')).toBeNull();
    expect(rrdValue('v', NaN)).toBeNull();
    expect(rrdValue('v', 0.25)).toBe(0.25);
    for (const bad of ['', '0x10', '1,5', '12abc', ' ']) expect(() => rrdValue('v', bad), bad).toThrow(RrdFormatError);
    expect(rrdColumn('AVERAGE:vm:ABC:memory_internal_free')).toEqual({ cf: 'AVERAGE', kind: 'vm', uuid: 'abc', name: 'memory_internal_free' });
    expect(() => rrdColumn('AVERAGE:vm::cpu0')).toThrow(RrdFormatError);
  });
});
