import { describe, expect, it } from 'vitest';
import {
  decodeIPv4,
  decodeIpSource,
  decodeMac,
  decodeVlan,
  encodeIPv4,
  encodeIpSource,
  encodeMac,
  encodeNetmask,
  getLanConfig,
  LanParam,
  setLanConfig,
  type IpSource,
} from '../../../lib/ipmi/commands/lan-config.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';

describe('Get / Set LAN Configuration Parameters (Transport 0x02 / 0x01)', () => {
  it('are Transport commands 0x02 and 0x01 with the section 23 completion codes', () => {
    expect([getLanConfig.netFn, getLanConfig.cmd]).toEqual([0x0c, 0x02]);
    expect([setLanConfig.netFn, setLanConfig.cmd]).toEqual([0x0c, 0x01]);
    expect(Object.keys(getLanConfig.completionCodes ?? {}).map(Number)).toEqual([0x80, 0x81, 0x82, 0x83]);
  });
  it('numbers the parameters as table 23-4 does', () => {
    expect(LanParam).toEqual({
      setInProgress: 0,
      authTypeSupport: 1,
      authTypeEnables: 2,
      ipAddress: 3,
      ipSource: 4,
      macAddress: 5,
      subnetMask: 6,
      arpControl: 10,
      defaultGatewayIp: 12,
      defaultGatewayMac: 13,
      vlanId: 20,
      cipherSuiteCount: 22,
      cipherSuites: 23,
    });
  });
  it('Get: channel, parameter, set selector, block selector', () => {
    expect(getLanConfig.encode({ channel: 1, parameter: LanParam.ipAddress })).toEqual(Buffer.from([0x01, 0x03, 0x00, 0x00]));
    expect(getLanConfig.encode({ channel: 0x11, parameter: 23, setSelector: 2, blockSelector: 1 })).toEqual(Buffer.from([0x01, 0x17, 0x02, 0x01]));
  });
  it('Get: decodes the parameter revision and data', () => {
    const r = getLanConfig.decode(Buffer.from([0x11, 192, 168, 0, 10]));
    expect(r.revision).toBe(0x11);
    expect(decodeIPv4(r.data)).toBe('192.168.0.10');
  });
  it('Get: refuses an empty reply with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getLanConfig.decode(b), Buffer.from([0x11]), 1);
  });
  it('Set: channel, parameter, then the data', () => {
    expect(setLanConfig.encode({ channel: 1, parameter: LanParam.ipAddress, data: encodeIPv4('10.0.0.5') })).toEqual(Buffer.from([0x01, 0x03, 10, 0, 0, 5]));
    expect(setLanConfig.encode({ channel: 1, parameter: LanParam.macAddress, data: encodeMac('00:11:22:aa:bb:cc') })).toEqual(Buffer.from([0x01, 0x05, 0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc]));
  });
});

describe('IPv4 addresses', () => {
  it('encodes dotted quads', () => {
    expect(encodeIPv4('192.168.1.20')).toEqual(Buffer.from([192, 168, 1, 20]));
    expect(encodeIPv4(' 10.0.0.1 ')).toEqual(Buffer.from([10, 0, 0, 1]));
    expect(encodeIPv4('0.0.0.0')).toEqual(Buffer.from([0, 0, 0, 0]));
    expect(encodeIPv4('255.255.255.255')).toEqual(Buffer.from([255, 255, 255, 255]));
  });
  it.each(['256.1.1.1', '1.2.3', '1.2.3.4.5', 'a.b.c.d', '', '1..2.3', '-1.2.3.4', '1.2.3.4/24', '1.2.3.1000', '0x1.2.3.4', 'host.example'])('refuses "%s" with IpmiProtocolError', (bad) => {
    expectProtocolError(() => encodeIPv4(bad), /not a dotted IPv4 address/);
  });
  it('decodes 4 bytes and refuses fewer', () => {
    expect(decodeIPv4(Buffer.from([10, 0, 0, 254]))).toBe('10.0.0.254');
    for (let n = 0; n < 4; n++) expectProtocolError(() => decodeIPv4(Buffer.alloc(n)));
  });
});

describe('netmasks', () => {
  it.each([
    ['255.255.255.0', [255, 255, 255, 0]],
    ['255.255.254.0', [255, 255, 254, 0]],
    ['255.0.0.0', [255, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['255.255.255.252', [255, 255, 255, 252]],
  ])('encodes the contiguous mask %s', (text, bytes) => {
    expect(encodeNetmask(text)).toEqual(Buffer.from(bytes));
  });
  it.each(['255.0.255.0', '0.255.255.255', '255.255.255.1', '254.255.255.0', '255.255.253.0'])('refuses the non-contiguous mask %s', (bad) => {
    expectProtocolError(() => encodeNetmask(bad), /contiguous/);
  });
  it('refuses a mask that is not an address', () => {
    expectProtocolError(() => encodeNetmask('/24'), /netmask/);
    expectProtocolError(() => encodeNetmask('255.255.255'));
  });
});

describe('MAC addresses', () => {
  it('encodes colon- and dash-separated octets, either case', () => {
    expect(encodeMac('00:11:22:aa:BB:cc')).toEqual(Buffer.from([0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc]));
    expect(encodeMac('00-11-22-33-44-55')).toEqual(Buffer.from([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]));
  });
  it.each(['00:11:22:33:44', '00:11:22:33:44:55:66', '0011.2233.4455', '001122334455', '00:11:22:33:44:gg', '001:11:22:33:44:55', '', '::::::'])('refuses "%s" with IpmiProtocolError', (bad) => {
    expectProtocolError(() => encodeMac(bad), /six hex octets/);
  });
  it('decodes 6 bytes and refuses fewer', () => {
    expect(decodeMac(Buffer.from([0x00, 0x1b, 0x21, 0x0a, 0xff, 0x01]))).toBe('00:1b:21:0a:ff:01');
    for (let n = 0; n < 6; n++) expectProtocolError(() => decodeMac(Buffer.alloc(n)));
  });
});

describe('IP address source and VLAN', () => {
  it('decodes the source of parameter 4 (bits 3:0)', () => {
    const src = (b: number) => decodeIpSource(Buffer.from([b]));
    expect([0, 1, 2, 3, 4].map(src)).toEqual(['unspecified', 'static', 'dhcp', 'bios', 'other']);
    expect(src(0xf2)).toBe('dhcp');
    expect(src(0x0f)).toBe('other');
    expectProtocolError(() => decodeIpSource(Buffer.alloc(0)));
  });
  it('encodes the source and refuses an unknown one', () => {
    expect(encodeIpSource('static')).toEqual(Buffer.from([0x01]));
    expect(encodeIpSource('dhcp')).toEqual(Buffer.from([0x02]));
    expectProtocolError(() => encodeIpSource('manual' as IpSource));
  });
  it('decodes the 12-bit VLAN ID when enabled (parameter 20)', () => {
    expect(decodeVlan(Buffer.from([0x0a, 0x81]))).toBe(0x10a);
    expect(decodeVlan(Buffer.from([0xff, 0x8f]))).toBe(0xfff);
    expect(decodeVlan(Buffer.from([0x0a, 0x01]))).toBeNull();
    expectProtocolError(() => decodeVlan(Buffer.from([0x0a])));
  });
});
