import { describe, expect, it } from 'vitest';
import { AddressRangeError, parseAddressRange } from '../../lib/onboard/address-range.ts';

const hosts = (text: string, o?: { max?: number; force?: boolean }) => parseAddressRange(text, o).map((t) => (t.port ? `${t.host}:${t.port}` : t.host));

describe('BMC ranges', () => {
  it('a /24 gives its 254 usable addresses, without the network and broadcast addresses', () => {
    const list = hosts('10.20.0.0/24');
    expect(list).toHaveLength(254);
    expect(list[0]).toBe('10.20.0.1');
    expect(list.at(-1)).toBe('10.20.0.254');
    expect(list).not.toContain('10.20.0.0');
    expect(list).not.toContain('10.20.0.255');
  });

  it('small prefixes: /30 has two hosts, /31 both addresses (RFC 3021), /32 the one', () => {
    expect(hosts('192.0.2.8/30')).toEqual(['192.0.2.9', '192.0.2.10']);
    expect(hosts('192.0.2.8/31')).toEqual(['192.0.2.8', '192.0.2.9']);
    expect(hosts('192.0.2.8/32')).toEqual(['192.0.2.8']);
  });

  it('a block that crosses octets is counted right', () => {
    const list = hosts('10.1.0.0/22');
    expect(list).toHaveLength(1022);
    expect(list[255]).toBe('10.1.1.0');
    expect(list.at(-1)).toBe('10.1.3.254');
  });

  it('FIRST-LAST spans IPv4 addresses, both ends included, across octets too', () => {
    const list = hosts('10.20.0.21-10.20.0.36');
    expect(list).toHaveLength(16);
    expect([list[0], list.at(-1)]).toEqual(['10.20.0.21', '10.20.0.36']);
    expect(hosts('10.0.0.254-10.0.1.1')).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
    expect(() => hosts('10.0.0.0-10.0.8.0')).toThrow(/2049 addresses, over the limit/);
  });

  it('lists mix single addresses, names, ports and port ranges, each target once', () => {
    expect(hosts('10.0.0.5, bmc-7.lan 10.0.0.5 127.0.0.1:16230-16232,[fd00::7]:6230, 10.0.0.6:623')).toEqual([
      '10.0.0.5',
      'bmc-7.lan',
      '127.0.0.1:16230',
      '127.0.0.1:16231',
      '127.0.0.1:16232',
      'fd00::7:6230',
      '10.0.0.6:623',
    ]);
  });

  it('more than 1,024 addresses is refused unless forced, before anything is listed', () => {
    expect(() => hosts('10.0.0.0/16')).toThrow(/65534 addresses, over the limit of 1024.*--force/);
    expect(() => hosts('10.0.0.0/21')).toThrow(/2046 addresses/);
    expect(hosts('10.0.0.0/21', { force: true })).toHaveLength(2046);
    // The limit counts the whole list, not each item.
    expect(() => hosts('10.0.0.0/23, 10.0.2.0/23, 10.0.4.0/24')).toThrow(/1274 addresses/);
    expect(hosts('10.0.0.0/23, 10.0.2.0/24', { max: 1000 })).toHaveLength(764);
  });

  it('bad input gets a clear error naming what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['10.0.0.0/33', /prefix length/],
      ['10.0.0.1/24', /host bits set: the network is 10\.0\.0\.0\/24/],
      ['10.0.300.1', /over 255/],
      ['10.0.0.1:70000', /not a port/],
      ['127.0.0.1:16240-16230', /runs backwards/],
      ['10.0.0.9-10.0.0.1', /runs backwards/],
      ['10.0.0.1-10.0.0.256', /over 255/],
      ['fd00::7', /brackets/],
      ['bmc_7!', /neither an IPv4 address nor a host name/],
    ];
    for (const [text, why] of cases) {
      let caught: unknown;
      try {
        parseAddressRange(text);
      } catch (e) {
        caught = e;
      }
      expect(caught, text).toBeInstanceOf(AddressRangeError);
      expect((caught as Error).message, text).toMatch(why);
    }
  });
});
