/**
 * The BMC side of the command modules that the console already used: decodeRequest parses what
 * encode makes (and refuses short or malformed requests with the completion code a BMC answers),
 * encodeResponse lays replies out as the specification does and decode reads them back.
 */
import { describe, expect, it } from 'vitest';
import { bootFlagsNextBoot, ChassisAction, chassisControl, chassisIdentify, getChassisStatus, setSystemBootOptions, type ChassisStatus } from '../../../lib/ipmi/commands/chassis.ts';
import { decodeBcd, emptyRequest, encodeBcd, encodeVersionNibbles, IpmiRequestError, noData, RequestCompletion, requestLength, trimTrailingZeros } from '../../../lib/ipmi/commands/command.ts';
import { DCMI_GROUP, dcmiGetPowerReading } from '../../../lib/ipmi/commands/dcmi-power-reading.ts';
import { getChannelAuthCapabilities, type ChannelAuthCapabilities } from '../../../lib/ipmi/commands/get-channel-auth-capabilities.ts';
import { encodeCipherSuiteRecords, getChannelCipherSuites, parseCipherSuiteRecords } from '../../../lib/ipmi/commands/get-channel-cipher-suites.ts';
import { getDeviceId, type DeviceId } from '../../../lib/ipmi/commands/get-device-id.ts';
import { getSensorReading } from '../../../lib/ipmi/commands/get-sensor-reading.ts';
import { decodeVlan, encodeVlan, getLanConfig, LAN_PARAMETER_REVISION, LanParam, setLanConfig } from '../../../lib/ipmi/commands/lan-config.ts';
import { getSdr, getSdrRepositoryInfo, reserveSdrRepository } from '../../../lib/ipmi/commands/sdr-repository.ts';
import { clearSel, getSelEntry, getSelInfo, reserveSel } from '../../../lib/ipmi/commands/sel.ts';
import { closeSession, setSessionPrivilegeLevel } from '../../../lib/ipmi/commands/session-control.ts';
import { activateSession, getSessionChallenge } from '../../../lib/ipmi/commands/session-v15.ts';
import { getChannelAccess, getUserAccess, getUserName, setChannelAccess, setUserAccess, setUserName, setUserPassword, UserPasswordOperation, type ChannelAccess } from '../../../lib/ipmi/commands/users.ts';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';
import { expectProtocolError } from './expect-protocol-error.ts';
import {
  expectLongRequestRefused,
  expectReplyReencodes,
  expectRequestDecodes,
  expectRequestRefused,
  expectRequestRoundTrip,
  expectResponseRoundTrip,
  expectShortRequestsRefused,
} from './server-side-helpers.ts';

const C7 = 0xc7;
const CC = 0xcc;

describe('BMC side helpers (command.ts)', () => {
  it('IpmiRequestError is an IpmiProtocolError with a completion code', () => {
    const e = new IpmiRequestError('x', 0xc7);
    expect(e).toBeInstanceOf(IpmiProtocolError);
    expect(e.name).toBe('IpmiRequestError');
    expect(e.completionCode).toBe(0xc7);
    expect(RequestCompletion).toEqual({ lengthInvalid: 0xc7, invalidField: 0xcc });
  });
  it('requestLength refuses data outside [min, max] with 0xC7', () => {
    expect(() => requestLength(Buffer.alloc(2), 'X', 2)).not.toThrow();
    expectRequestRefused(() => requestLength(Buffer.alloc(1), 'X', 2), C7, /X request: 1 data bytes, expected 2$/);
    expectRequestRefused(() => requestLength(Buffer.alloc(5), 'X', 2, 4), C7, /expected 2 to 4/);
    expectRequestRefused(() => requestLength(Buffer.alloc(1), 'X', 2, Infinity), C7, /expected at least 2/);
    expect(() => requestLength(Buffer.alloc(300), 'X', 2, Infinity)).not.toThrow();
  });
  it('emptyRequest accepts only empty data', () => {
    expect(emptyRequest('X')(Buffer.alloc(0))).toBeUndefined();
    expectRequestRefused(() => emptyRequest('X')(Buffer.from([0])), C7);
  });
  it('BCD: plain digits for 0-99, nibbles above 9 for what decoders read from non-BCD bytes', () => {
    expect([0, 5, 17, 99].map((n) => encodeBcd(n, 'x'))).toEqual([0x00, 0x05, 0x17, 0x99]);
    for (let b = 0; b < 256; b++) expect(encodeBcd(decodeBcd(b), 'x') === b || decodeBcd(encodeBcd(decodeBcd(b), 'x')) === decodeBcd(b)).toBe(true);
    expectProtocolError(() => encodeBcd(166, 'minor'), /minor 166 has no BCD form/);
    expectProtocolError(() => encodeBcd(-1, 'minor'));
    expectProtocolError(() => encodeBcd(1.5, 'minor'));
  });
  it('version nibbles: major in bits 3:0, minor in bits 7:4', () => {
    expect(encodeVersionNibbles('2.0', 'v')).toBe(0x02);
    expect(encodeVersionNibbles('1.5', 'v')).toBe(0x51);
    expect(encodeVersionNibbles('15.15', 'v')).toBe(0xff);
    for (const bad of ['2', '2.0.0', '16.0', 'a.b', '']) expectProtocolError(() => encodeVersionNibbles(bad, 'IPMI version'), /IPMI version/);
  });
  it('trimTrailingZeros drops the padding only', () => {
    expect(trimTrailingZeros(Buffer.from([0x61, 0, 0x62, 0, 0]))).toEqual(Buffer.from([0x61, 0, 0x62]));
    expect(trimTrailingZeros(Buffer.alloc(16))).toEqual(Buffer.alloc(0));
  });
  it('noData encodes a void reply', () => {
    expect(noData()).toEqual(Buffer.alloc(0));
  });
});

// ---------------------------------------------------------------------------------------------

describe('Get Device ID, BMC side', () => {
  const SIM: DeviceId = {
    deviceId: 0x20,
    deviceRevision: 1,
    providesSdrs: false,
    firmwareMajor: 2,
    firmwareMinor: 17,
    deviceAvailable: true,
    ipmiVersion: '2.0',
    additionalSupport: 0x9f,
    manufacturerId: 41649,
    productId: 0x0623,
  };
  it('takes an empty request and refuses data', () => {
    expect(getDeviceId.decodeRequest(getDeviceId.encode())).toBeUndefined();
    expectLongRequestRefused(getDeviceId, Buffer.alloc(0));
  });
  it('lays out the 11 bytes of table 20-2: BCD minor 17 -> 0x17, IPMI 2.0 -> 0x02, manufacturer 3 bytes LS first', () => {
    expectResponseRoundTrip(getDeviceId, SIM, [0x20, 0x01, 0x02, 0x17, 0x02, 0x9f, 0xb1, 0xa2, 0x00, 0x23, 0x06]);
  });
  it('sets "provides SDRs" (bit 7 of byte 2), "device not available" (bit 7 of byte 3), and the 4 auxiliary bytes', () => {
    const d: DeviceId = { ...SIM, deviceId: 0x01, deviceRevision: 3, providesSdrs: true, firmwareMajor: 5, deviceAvailable: false, firmwareMinor: 99, ipmiVersion: '1.5', manufacturerId: 0x0157, productId: 0x1234, auxFirmware: Buffer.from([1, 2, 3, 4]) };
    expectResponseRoundTrip(getDeviceId, d, [0x01, 0x83, 0x85, 0x99, 0x51, 0x9f, 0x57, 0x01, 0x00, 0x34, 0x12, 1, 2, 3, 4]);
  });
  it('masks the manufacturer ID to 20 bits and the revision and major to their widths', () => {
    const b = getDeviceId.encodeResponse({ ...SIM, manufacturerId: 0xfffff, deviceRevision: 0x1f, firmwareMajor: 0xff });
    expect([...b.subarray(6, 9)]).toEqual([0xff, 0xff, 0x0f]);
    expect(b[1]).toBe(0x0f);
    expect(b[2]).toBe(0x7f);
    expect(getDeviceId.encodeResponse({ ...SIM, manufacturerId: 0x123456 }).subarray(6, 9)).toEqual(Buffer.from([0x56, 0x34, 0x02]));
  });
  it('re-encodes any reply it decoded (non-BCD minor revisions included)', () => {
    expectReplyReencodes(getDeviceId, [0x20, 0x01, 0x02, 0xb1, 0x02, 0x9f, 0xb1, 0xa2, 0x00, 0x23, 0x06]);
    const odd = getDeviceId.decode(Buffer.from([0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0]));
    expect(getDeviceId.decode(getDeviceId.encodeResponse(odd))).toEqual(odd);
  });
  it('refuses values with no wire form', () => {
    expectProtocolError(() => getDeviceId.encodeResponse({ ...SIM, ipmiVersion: 'two' }), /IPMI version/);
    expectProtocolError(() => getDeviceId.encodeResponse({ ...SIM, firmwareMinor: 200 }), /firmware minor revision 200/);
    expectProtocolError(() => getDeviceId.encodeResponse({ ...SIM, auxFirmware: Buffer.from([1, 2, 3]) }), /3 bytes, not 4/);
  });
});

describe('Get Chassis Status, BMC side', () => {
  const OFF: ChassisStatus = {
    powerOn: false,
    powerOverload: false,
    interlock: false,
    powerFault: false,
    powerControlFault: false,
    restorePolicy: 'always-off',
    lastPowerEvent: { acFailed: false, overload: false, interlock: false, fault: false, commandOn: false },
    intrusion: false,
    frontPanelLockout: false,
    driveFault: false,
    coolingFault: false,
    identify: 'unknown',
  };
  it('takes an empty request', () => {
    expect(getChassisStatus.decodeRequest(Buffer.alloc(0))).toBeUndefined();
    expectLongRequestRefused(getChassisStatus, Buffer.alloc(0));
  });
  it('lays out every bit of table 28-3', () => {
    const all: ChassisStatus = {
      powerOn: true,
      powerOverload: true,
      interlock: true,
      powerFault: true,
      powerControlFault: true,
      restorePolicy: 'always-on',
      lastPowerEvent: { acFailed: true, overload: true, interlock: true, fault: true, commandOn: true },
      intrusion: true,
      frontPanelLockout: true,
      driveFault: true,
      coolingFault: true,
      identify: 'on',
      frontPanel: 0xaa,
    };
    expectResponseRoundTrip(getChassisStatus, all, [0x5f, 0x1f, 0x6f, 0xaa]);
  });
  it('sends three bytes without the optional front panel byte; an unknown identify state clears "supported" (bit 6)', () => {
    expectResponseRoundTrip(getChassisStatus, OFF, [0x00, 0x00, 0x00]);
  });
  it('puts the restore policy in bits 6:5 and the identify state in bits 5:4 with bit 6 set', () => {
    expect(getChassisStatus.encodeResponse({ ...OFF, powerOn: true, restorePolicy: 'previous' })[0]).toBe(0x21);
    expect(getChassisStatus.encodeResponse({ ...OFF, restorePolicy: 'unknown' })[0]).toBe(0x60);
    expect(getChassisStatus.encodeResponse({ ...OFF, identify: 'off' })[2]).toBe(0x40);
    expect(getChassisStatus.encodeResponse({ ...OFF, identify: 'timed' })[2]).toBe(0x50);
    expect(getChassisStatus.encodeResponse({ ...OFF, identify: 'on', coolingFault: true })[2]).toBe(0x68);
    expect(getChassisStatus.encodeResponse({ ...OFF, lastPowerEvent: { ...OFF.lastPowerEvent, commandOn: true } })[1]).toBe(0x10);
  });
  it('encodes the natural inverse where the decoder loses information', () => {
    // Identify "reserved" (bits 5:4 = 11b) decodes as unknown, and unknown encodes as "not supported".
    const d = getChassisStatus.decode(Buffer.from([0x80, 0xe0, 0x70]));
    expect(d.identify).toBe('unknown');
    expect([...getChassisStatus.encodeResponse(d)]).toEqual([0x00, 0x00, 0x00]);
    expect(getChassisStatus.decode(getChassisStatus.encodeResponse(d))).toEqual(d);
  });
  it('refuses a policy or identify state it does not know', () => {
    expectProtocolError(() => getChassisStatus.encodeResponse({ ...OFF, restorePolicy: 'sometimes' as never }), /restore policy/);
    expectProtocolError(() => getChassisStatus.encodeResponse({ ...OFF, identify: 'blinking' as never }), /identify state/);
  });
});

describe('Chassis Control, BMC side', () => {
  it('decodes every action of table 28-4', () => {
    for (const action of Object.values(ChassisAction)) expectRequestRoundTrip(chassisControl, { action }, [action]);
  });
  it('ignores the reserved bits 7:4', () => {
    expectRequestDecodes(chassisControl, [0xf2], { action: ChassisAction.powerCycle });
  });
  it('refuses an action outside the table with 0xCC, and a wrong length with 0xC7', () => {
    expectRequestRefused(() => chassisControl.decodeRequest(Buffer.from([0x06])), CC, /action 0x6/);
    expectShortRequestsRefused(chassisControl, Buffer.from([0x01]));
    expectLongRequestRefused(chassisControl, Buffer.from([0x01]));
  });
  it('has an empty reply', () => {
    expect(chassisControl.encodeResponse()).toEqual(Buffer.alloc(0));
  });
});

describe('Chassis Identify, BMC side', () => {
  it('reads no data as the 15-second default, one byte as the interval', () => {
    expectRequestDecodes(chassisIdentify, [], { seconds: 15, forceOn: false });
    expectRequestRoundTrip(chassisIdentify, { seconds: 15, forceOn: false }, [15]);
    expectRequestRoundTrip(chassisIdentify, { seconds: 0, forceOn: false }, [0]);
    expectRequestRoundTrip(chassisIdentify, { seconds: 255, forceOn: false }, [255]);
  });
  it('reads Force Identify On from byte 2 bit 0, with the interval it came with', () => {
    expectRequestRoundTrip(chassisIdentify, { seconds: 0, forceOn: true }, [0x00, 0x01]);
    expectRequestRoundTrip(chassisIdentify, { seconds: 30, forceOn: true }, [30, 0x01]);
    expectRequestDecodes(chassisIdentify, [10, 0x00], { seconds: 10, forceOn: false });
    expectRequestDecodes(chassisIdentify, [10, 0xff], { seconds: 10, forceOn: true });
  });
  it('what the client sends decodes to what it asked for', () => {
    expect(chassisIdentify.decodeRequest(chassisIdentify.encode({}))).toEqual({ seconds: 15, forceOn: false });
    expect(chassisIdentify.decodeRequest(chassisIdentify.encode({ forceOn: true }))).toEqual({ seconds: 0, forceOn: true });
  });
  it('refuses three bytes', () => {
    expectLongRequestRefused(chassisIdentify, Buffer.from([0, 1]));
  });
});

describe('Set System Boot Options, BMC side', () => {
  it('decodes the parameter selector, the valid bit and the data', () => {
    expectRequestRoundTrip(setSystemBootOptions, { parameter: 5, invalid: false, data: bootFlagsNextBoot('pxe') }, [0x05, 0x80, 0x04, 0, 0, 0]);
    expectRequestRoundTrip(setSystemBootOptions, { parameter: 5, invalid: true, data: Buffer.from([0x00]) }, [0x85, 0x00]);
    expectRequestRoundTrip(setSystemBootOptions, { parameter: 0, invalid: false, data: Buffer.from([0x01]) }, [0x00, 0x01]);
  });
  it('refuses a request without parameter data', () => {
    expectShortRequestsRefused(setSystemBootOptions, Buffer.from([0x05, 0x80]));
  });
});

describe('DCMI Get Power Reading, BMC side', () => {
  const REPLY = [0xdc, 0xc8, 0x00, 0x64, 0x00, 0x2c, 0x01, 0xfa, 0x00, 0x00, 0x00, 0x00, 0x66, 0xe8, 0x03, 0x00, 0x00, 0x40];
  it('decodes the mode and the rolling period', () => {
    expectRequestRoundTrip(dcmiGetPowerReading, { mode: 1, rollingPeriod: 0 }, [0xdc, 0x01, 0x00, 0x00]);
    expectRequestRoundTrip(dcmiGetPowerReading, { mode: 2, rollingPeriod: 0x45 }, [0xdc, 0x02, 0x45, 0x00]);
    expect(dcmiGetPowerReading.decodeRequest(dcmiGetPowerReading.encode({}))).toEqual({ mode: 1, rollingPeriod: 0 });
  });
  it('refuses another group extension and an unknown mode with 0xCC', () => {
    expectRequestRefused(() => dcmiGetPowerReading.decodeRequest(Buffer.from([0x00, 0x01, 0x00, 0x00])), CC, /not 0xDC/);
    expectRequestRefused(() => dcmiGetPowerReading.decodeRequest(Buffer.from([DCMI_GROUP, 0x03, 0x00, 0x00])), CC, /mode 0x3/);
    expectShortRequestsRefused(dcmiGetPowerReading, Buffer.from([0xdc, 0x01, 0x00, 0x00]));
    expectLongRequestRefused(dcmiGetPowerReading, Buffer.from([0xdc, 0x01, 0x00, 0x00]));
  });
  it('lays out 0xDC, four 16-bit readings, the timestamp, the period and the state (bit 6: active)', () => {
    expectResponseRoundTrip(dcmiGetPowerReading, { watts: 200, minWatts: 100, maxWatts: 300, averageWatts: 250, timestamp: 0x66000000, periodMs: 1000, active: true }, REPLY);
    const idle = dcmiGetPowerReading.encodeResponse({ watts: 0, minWatts: 0, maxWatts: 0, averageWatts: 0, timestamp: 0xffffffff, periodMs: 0, active: false });
    expect(idle[17]).toBe(0x00);
    expect(idle.readUInt32LE(9)).toBe(0xffffffff);
  });
});

describe('Get Channel Authentication Capabilities, BMC side', () => {
  const V2: ChannelAuthCapabilities = {
    channel: 1,
    authTypes: { none: false, md2: false, md5: true, password: true, oem: false },
    extendedCapabilities: true,
    kgSet: false,
    perMessageAuthDisabled: false,
    userLevelAuthDisabled: false,
    nonNullUsers: true,
    nullUsers: false,
    anonymousLogin: false,
    supportsV15: true,
    supportsV20: true,
    oemId: 0x00a2b1,
    oemAux: 0x07,
  };
  it('decodes the channel, the v2 bit and the privilege', () => {
    expectRequestRoundTrip(getChannelAuthCapabilities, { channel: 0x0e, privilege: 4, v2: true }, [0x8e, 0x04]);
    expectRequestRoundTrip(getChannelAuthCapabilities, { channel: 1, privilege: 2, v2: false }, [0x01, 0x02]);
    expectRequestDecodes(getChannelAuthCapabilities, [0xfe, 0xf4], { channel: 0x0e, privilege: 4, v2: true });
    expectShortRequestsRefused(getChannelAuthCapabilities, Buffer.from([0x8e, 0x04]));
    expectLongRequestRefused(getChannelAuthCapabilities, Buffer.from([0x8e, 0x04]));
  });
  it('lays out the 8 reply bytes', () => {
    expectResponseRoundTrip(getChannelAuthCapabilities, V2, [0x01, 0x94, 0x04, 0x03, 0xb1, 0xa2, 0x00, 0x07]);
  });
  it('sets every status bit and auth type', () => {
    const all = { ...V2, authTypes: { none: true, md2: true, md5: true, password: true, oem: true }, kgSet: true, perMessageAuthDisabled: true, userLevelAuthDisabled: true, nonNullUsers: true, nullUsers: true, anonymousLogin: true, supportsV15: false };
    expectResponseRoundTrip(getChannelAuthCapabilities, all, [0x01, 0xb7, 0x3f, 0x02, 0xb1, 0xa2, 0x00, 0x07]);
  });
  it('an IPMI v1.5 BMC (no extended capabilities) sends byte 5 as 0', () => {
    const v15 = { ...V2, extendedCapabilities: false, supportsV20: false, authTypes: { ...V2.authTypes, password: false }, oemId: 0, oemAux: 0 };
    expectResponseRoundTrip(getChannelAuthCapabilities, v15, [0x01, 0x04, 0x04, 0x00, 0, 0, 0, 0]);
  });
});

describe('Get Channel Cipher Suites, BMC side', () => {
  const standard = (id: number, auth: number, integrity: number, conf: number) => [0xc0, id, 0x00 | auth, 0x40 | integrity, 0x80 | conf];
  it('decodes channel, payload type and list index with the "by cipher suite" bit', () => {
    expectRequestRoundTrip(getChannelCipherSuites, { channel: 0x0e, payloadType: 0, byCipherSuite: true, index: 0 }, [0x0e, 0x00, 0x80]);
    expectRequestRoundTrip(getChannelCipherSuites, { channel: 1, payloadType: 0, byCipherSuite: false, index: 2 }, [0x01, 0x00, 0x02]);
    expectRequestRoundTrip(getChannelCipherSuites, { channel: 1, payloadType: 1, byCipherSuite: true, index: 0x3f }, [0x01, 0x01, 0xbf]);
    expect(getChannelCipherSuites.decodeRequest(getChannelCipherSuites.encode({ index: 1 }))).toEqual({ channel: 0x0e, payloadType: 0, byCipherSuite: true, index: 1 });
    expectShortRequestsRefused(getChannelCipherSuites, Buffer.from([0x0e, 0x00, 0x80]));
    expectLongRequestRefused(getChannelCipherSuites, Buffer.from([0x0e, 0x00, 0x80]));
  });
  it('replies with the channel, then the record data', () => {
    const data = Buffer.from(standard(3, 1, 1, 1));
    expectResponseRoundTrip(getChannelCipherSuites, { channel: 1, data }, [0x01, ...standard(3, 1, 1, 1)]);
  });
  it('encodeCipherSuiteRecords writes the records of table 22-18 that parseCipherSuiteRecords reads', () => {
    const records = [
      { id: 3, auth: [1], integrity: [1], confidentiality: [1] },
      { id: 17, auth: [3], integrity: [4], confidentiality: [1] },
      { id: 0x80, oemIana: 0x00a2b1, auth: [1], integrity: [], confidentiality: [0] },
    ];
    const bytes = encodeCipherSuiteRecords(records);
    expect([...bytes]).toEqual([...standard(3, 1, 1, 1), ...standard(17, 3, 4, 1), 0xc1, 0x80, 0xb1, 0xa2, 0x00, 0x01, 0x80]);
    expect(parseCipherSuiteRecords(bytes)).toEqual(records);
    expect(encodeCipherSuiteRecords([])).toEqual(Buffer.alloc(0));
  });
});

describe('Get Sensor Reading, BMC side', () => {
  it('decodes the sensor number', () => {
    expectRequestRoundTrip(getSensorReading, { sensorNumber: 5 }, [0x05]);
    expectRequestRoundTrip(getSensorReading, { sensorNumber: 0xff }, [0xff]);
    expectShortRequestsRefused(getSensorReading, Buffer.from([5]));
    expectLongRequestRefused(getSensorReading, Buffer.from([5]));
  });
  it('lays out the reading, the flags of byte 3 and the state bytes', () => {
    expectResponseRoundTrip(getSensorReading, { raw: 250, eventMessagesEnabled: true, scanningEnabled: true, unavailable: false, state0: 0xc8, state1: undefined }, [250, 0xc0, 0xc8]);
    expectResponseRoundTrip(getSensorReading, { raw: 0, eventMessagesEnabled: false, scanningEnabled: false, unavailable: true, state0: 0, state1: undefined }, [0, 0x20, 0]);
  });
  it('sends states 14:8 with the reserved bit 7 set, as the specification asks', () => {
    expectResponseRoundTrip(getSensorReading, { raw: 0, eventMessagesEnabled: true, scanningEnabled: true, unavailable: false, state0: 0x01, state1: 0x01 }, [0, 0xc0, 0x01, 0x81]);
    expect(getSensorReading.decode(Buffer.from([0, 0xc0, 0x01, 0xff])).state1).toBe(0x7f);
  });
  it('a two-byte reply decodes and encodes again with a zero state byte', () => {
    const d = getSensorReading.decode(Buffer.from([45, 0xc0]));
    expect(getSensorReading.decode(getSensorReading.encodeResponse(d))).toEqual(d);
  });
});

describe('Get / Set LAN Configuration Parameters, BMC side', () => {
  it('Get: decodes channel, parameter, set and block selectors and the revision-only bit', () => {
    expectRequestRoundTrip(getLanConfig, { channel: 1, parameter: LanParam.ipAddress, setSelector: 0, blockSelector: 0, revisionOnly: false }, [0x01, 0x03, 0x00, 0x00]);
    expectRequestRoundTrip(getLanConfig, { channel: 1, parameter: LanParam.cipherSuites, setSelector: 2, blockSelector: 1, revisionOnly: true }, [0x81, 0x17, 0x02, 0x01]);
    expectShortRequestsRefused(getLanConfig, Buffer.from([0x01, 0x03, 0x00, 0x00]));
    expectLongRequestRefused(getLanConfig, Buffer.from([0x01, 0x03, 0x00, 0x00]));
  });
  it('Get: replies with the parameter revision (0x11) then the data', () => {
    expect(LAN_PARAMETER_REVISION).toBe(0x11);
    expectResponseRoundTrip(getLanConfig, { revision: LAN_PARAMETER_REVISION, data: Buffer.from([10, 0, 0, 5]) }, [0x11, 10, 0, 0, 5]);
    expectResponseRoundTrip(getLanConfig, { revision: LAN_PARAMETER_REVISION, data: Buffer.alloc(0) }, [0x11]);
  });
  it('Set: decodes channel, parameter and data; a set needs a data byte', () => {
    expectRequestRoundTrip(setLanConfig, { channel: 1, parameter: LanParam.ipAddress, data: Buffer.from([10, 0, 0, 5]) }, [0x01, 0x03, 10, 0, 0, 5]);
    expectRequestDecodes(setLanConfig, [0xf1, 0x00, 0x01], { channel: 1, parameter: 0, data: Buffer.from([0x01]) });
    expectShortRequestsRefused(setLanConfig, Buffer.from([0x01, 0x00, 0x01]));
    expect(setLanConfig.encodeResponse()).toEqual(Buffer.alloc(0));
  });
  it('encodeVlan is the inverse of decodeVlan', () => {
    expect([...encodeVlan(null)]).toEqual([0x00, 0x00]);
    expect([...encodeVlan(0x123)]).toEqual([0x23, 0x81]);
    expect([...encodeVlan(4095)]).toEqual([0xff, 0x8f]);
    for (const v of [null, 0, 1, 100, 0xfff]) expect(decodeVlan(encodeVlan(v))).toBe(v);
    expectProtocolError(() => encodeVlan(4096), /0-4095/);
  });
});

describe('SDR repository commands, BMC side', () => {
  it('Get SDR Repository Info: empty request; the 14 bytes of table 33-3', () => {
    expect(getSdrRepositoryInfo.decodeRequest(Buffer.alloc(0))).toBeUndefined();
    expectLongRequestRefused(getSdrRepositoryInfo, Buffer.alloc(0));
    expectResponseRoundTrip(
      getSdrRepositoryInfo,
      { version: '1.5', recordCount: 5, freeSpace: 0x1000, lastAddition: 0x66000000, lastErase: 0x66000010, operationSupport: 0x22 },
      [0x51, 0x05, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x66, 0x10, 0x00, 0x00, 0x66, 0x22],
    );
    expectProtocolError(() => getSdrRepositoryInfo.encodeResponse({ version: '1.5.1', recordCount: 0, freeSpace: 0, lastAddition: 0, lastErase: 0, operationSupport: 0 }), /SDR version/);
  });
  it('Reserve SDR Repository: empty request; the reservation ID LS byte first', () => {
    expect(reserveSdrRepository.decodeRequest(Buffer.alloc(0))).toBeUndefined();
    expectResponseRoundTrip(reserveSdrRepository, { reservationId: 0x1234 }, [0x34, 0x12]);
  });
  it('Get SDR: reservation ID, record ID, offset and length; reply: next record ID then the bytes', () => {
    expectRequestRoundTrip(getSdr, { reservationId: 0x1234, recordId: 5, offset: 0, length: 0xff }, [0x34, 0x12, 0x05, 0x00, 0x00, 0xff]);
    expectRequestRoundTrip(getSdr, { reservationId: 0, recordId: 0xffff, offset: 5, length: 16 }, [0x00, 0x00, 0xff, 0xff, 0x05, 0x10]);
    expectShortRequestsRefused(getSdr, Buffer.from([0x34, 0x12, 0x05, 0x00, 0x00, 0xff]));
    expectLongRequestRefused(getSdr, Buffer.from([0x34, 0x12, 0x05, 0x00, 0x00, 0xff]));
    expectResponseRoundTrip(getSdr, { nextRecordId: 0xffff, data: Buffer.from([1, 2, 3]) }, [0xff, 0xff, 1, 2, 3]);
    expectResponseRoundTrip(getSdr, { nextRecordId: 0x0102, data: Buffer.alloc(0) }, [0x02, 0x01]);
  });
});

describe('SEL commands, BMC side', () => {
  it('Get SEL Info: the 14 bytes of table 31-2; the overflow flag decides bit 7', () => {
    expect(getSelInfo.decodeRequest(Buffer.alloc(0))).toBeUndefined();
    expectResponseRoundTrip(
      getSelInfo,
      { version: '1.5', entries: 2, freeSpace: 0x400, lastAddition: 0x66000000, lastErase: 0xffffffff, overflow: true, operationSupport: 0x8f },
      [0x51, 0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x66, 0xff, 0xff, 0xff, 0xff, 0x8f],
    );
    const b = getSelInfo.encodeResponse({ version: '1.5', entries: 0, freeSpace: 0, lastAddition: 0, lastErase: 0, overflow: false, operationSupport: 0x8f });
    expect(b[13]).toBe(0x0f);
    expect(getSelInfo.encodeResponse({ version: '1.5', entries: 0, freeSpace: 0, lastAddition: 0, lastErase: 0, overflow: true, operationSupport: 0x02 })[13]).toBe(0x82);
  });
  it('Reserve SEL: empty request; the reservation ID', () => {
    expectLongRequestRefused(reserveSel, Buffer.alloc(0));
    expectResponseRoundTrip(reserveSel, { reservationId: 0x8001 }, [0x01, 0x80]);
  });
  it('Get SEL Entry: the same layout as Get SDR', () => {
    expectRequestRoundTrip(getSelEntry, { reservationId: 0, recordId: 0x0002, offset: 0, length: 0xff }, [0x00, 0x00, 0x02, 0x00, 0x00, 0xff]);
    expect(getSelEntry.decodeRequest(getSelEntry.encode({ reservationId: 7, recordId: 0 }))).toEqual({ reservationId: 7, recordId: 0, offset: 0, length: 0xff });
    expectShortRequestsRefused(getSelEntry, Buffer.from([0, 0, 2, 0, 0, 0xff]));
    expectResponseRoundTrip(getSelEntry, { nextRecordId: 0x0003, data: Buffer.alloc(16, 0x11) }, [0x03, 0x00, ...Buffer.alloc(16, 0x11)]);
  });
  it('Clear SEL: "CLR" then 0xAA (initiate) or 0x00 (get status)', () => {
    expectRequestRoundTrip(clearSel, { reservationId: 0x8001, initiate: true }, [0x01, 0x80, 0x43, 0x4c, 0x52, 0xaa]);
    expectRequestRoundTrip(clearSel, { reservationId: 0x8001, initiate: false }, [0x01, 0x80, 0x43, 0x4c, 0x52, 0x00]);
    expectRequestRefused(() => clearSel.decodeRequest(Buffer.from([0x01, 0x80, 0x43, 0x4c, 0x58, 0xaa])), CC, /CLR/);
    expectRequestRefused(() => clearSel.decodeRequest(Buffer.from([0x01, 0x80, 0x43, 0x4c, 0x52, 0x55])), CC, /0x55/);
    expectShortRequestsRefused(clearSel, Buffer.from([0x01, 0x80, 0x43, 0x4c, 0x52, 0xaa]));
  });
  it('Clear SEL: erasure progress 1h completed, 0h in progress', () => {
    expectResponseRoundTrip(clearSel, { complete: true }, [0x01]);
    expectResponseRoundTrip(clearSel, { complete: false }, [0x00]);
  });
});

describe('Session control, BMC side', () => {
  it('Set Session Privilege Level: the level in bits 3:0, both ways', () => {
    expectRequestRoundTrip(setSessionPrivilegeLevel, { privilege: 4 }, [0x04]);
    expectRequestRoundTrip(setSessionPrivilegeLevel, { privilege: 0 }, [0x00]);
    expectRequestDecodes(setSessionPrivilegeLevel, [0xf3], { privilege: 3 });
    expectShortRequestsRefused(setSessionPrivilegeLevel, Buffer.from([4]));
    expectResponseRoundTrip(setSessionPrivilegeLevel, { privilege: 4 }, [0x04]);
  });
  it('Close Session: the session ID LS byte first, and the handle when the ID is 0', () => {
    expectRequestRoundTrip(closeSession, { sessionId: 0x01020304 }, [0x04, 0x03, 0x02, 0x01]);
    expectRequestRoundTrip(closeSession, { sessionId: 0, sessionHandle: 7 }, [0, 0, 0, 0, 7]);
    expectShortRequestsRefused(closeSession, Buffer.from([4, 3, 2, 1]));
    expectLongRequestRefused(closeSession, Buffer.from([0, 0, 0, 0, 7]));
    expect(closeSession.encodeResponse()).toEqual(Buffer.alloc(0));
  });
});

describe('IPMI v1.5 session commands, BMC side', () => {
  it('Get Session Challenge: auth type and the user name without its padding', () => {
    expectRequestRoundTrip(getSessionChallenge, { authType: 2, username: Buffer.from('admin') }, [0x02, ...Buffer.from('admin'), ...Buffer.alloc(11)]);
    expectRequestRoundTrip(getSessionChallenge, { authType: 0, username: Buffer.alloc(0) }, [0x00, ...Buffer.alloc(16)]);
    expectRequestRoundTrip(getSessionChallenge, { authType: 4, username: Buffer.from('0123456789abcdef') });
    expectShortRequestsRefused(getSessionChallenge, getSessionChallenge.encode({ authType: 2, username: Buffer.from('admin') }));
  });
  it('Get Session Challenge: temporary session ID then the 16-byte challenge', () => {
    const challenge = Buffer.from('0123456789abcdef');
    expectResponseRoundTrip(getSessionChallenge, { temporarySessionId: 0x04030201, challenge }, [1, 2, 3, 4, ...challenge]);
    expectProtocolError(() => getSessionChallenge.encodeResponse({ temporarySessionId: 1, challenge: Buffer.alloc(15) }), /15 bytes, not 16/);
  });
  it('Activate Session: auth type, privilege, challenge, initial outbound sequence', () => {
    const req = { authType: 2, privilege: 4, challenge: Buffer.alloc(16, 0x5a), initialOutboundSequence: 0x11223344 };
    expectRequestRoundTrip(activateSession, req, [0x02, 0x04, ...Buffer.alloc(16, 0x5a), 0x44, 0x33, 0x22, 0x11]);
    expectShortRequestsRefused(activateSession, activateSession.encode(req));
    expectLongRequestRefused(activateSession, activateSession.encode(req));
  });
  it('Activate Session: auth type, session ID, initial inbound sequence, maximum privilege', () => {
    expectResponseRoundTrip(activateSession, { authType: 2, sessionId: 0x04030201, initialInboundSequence: 0x08070605, maxPrivilege: 4 }, [0x02, 1, 2, 3, 4, 5, 6, 7, 8, 0x04]);
  });
});

describe('Channel access, BMC side', () => {
  const access: ChannelAccess = { accessMode: 'always', alertingEnabled: false, perMessageAuthEnabled: true, userLevelAuthEnabled: true, privilegeLimit: 4 };
  it('Get Channel Access: channel and which copy (01b non-volatile, 10b volatile)', () => {
    expectRequestRoundTrip(getChannelAccess, { channel: 1, volatile: false }, [0x01, 0x40]);
    expectRequestRoundTrip(getChannelAccess, { channel: 1, volatile: true }, [0x01, 0x80]);
    expectRequestRefused(() => getChannelAccess.decodeRequest(Buffer.from([0x01, 0x00])), CC, /00b/);
    expectRequestRefused(() => getChannelAccess.decodeRequest(Buffer.from([0x01, 0xc0])), CC, /11b/);
    expectShortRequestsRefused(getChannelAccess, Buffer.from([0x01, 0x40]));
  });
  it('Get Channel Access: the inverted enable bits, the access mode and the privilege limit', () => {
    expectResponseRoundTrip(getChannelAccess, access, [0x22, 0x04]);
    expectResponseRoundTrip(getChannelAccess, { accessMode: 'pre-boot', alertingEnabled: true, perMessageAuthEnabled: false, userLevelAuthEnabled: false, privilegeLimit: 3 }, [0x19, 0x03]);
    expectProtocolError(() => getChannelAccess.encodeResponse({ ...access, accessMode: 'sometimes' as never }), /unknown/);
  });
  it('Set Channel Access: what lowpower sends decodes with both bytes writing the same copy', () => {
    expectRequestRoundTrip(setChannelAccess, { channel: 1, access, volatile: false, accessTarget: 'non-volatile', privilegeTarget: 'non-volatile' }, [0x01, 0x62, 0x44]);
    expectRequestRoundTrip(setChannelAccess, { channel: 1, access, volatile: true, accessTarget: 'volatile', privilegeTarget: 'volatile' }, [0x01, 0xa2, 0x84]);
    expect(setChannelAccess.decodeRequest(setChannelAccess.encode({ channel: 2, access, volatile: true }))).toMatchObject({ channel: 2, access, volatile: true });
  });
  it('Set Channel Access: either byte may leave its setting alone (00b), as ipmitool asks', () => {
    expectRequestRoundTrip(setChannelAccess, { channel: 1, access, volatile: false, accessTarget: 'keep', privilegeTarget: 'non-volatile' }, [0x01, 0x22, 0x44]);
    expectRequestRoundTrip(setChannelAccess, { channel: 1, access, volatile: true, accessTarget: 'keep', privilegeTarget: 'volatile' }, [0x01, 0x22, 0x84]);
    expectRequestRoundTrip(setChannelAccess, { channel: 1, access, volatile: true, accessTarget: 'volatile', privilegeTarget: 'keep' }, [0x01, 0xa2, 0x04]);
  });
  it('Set Channel Access: refuses the reserved selector 11b and reserved access modes with 0xCC', () => {
    expectRequestRefused(() => setChannelAccess.decodeRequest(Buffer.from([0x01, 0xe2, 0x44])), CC, /11b/);
    expectRequestRefused(() => setChannelAccess.decodeRequest(Buffer.from([0x01, 0x62, 0xc4])), CC, /11b/);
    expectRequestRefused(() => setChannelAccess.decodeRequest(Buffer.from([0x01, 0x44, 0x44])), CC, /access mode 4/);
    expectShortRequestsRefused(setChannelAccess, Buffer.from([0x01, 0x62, 0x44]));
    expectLongRequestRefused(setChannelAccess, Buffer.from([0x01, 0x62, 0x44]));
  });
});

describe('User commands, BMC side', () => {
  it('Get User Access: channel and user ID', () => {
    expectRequestRoundTrip(getUserAccess, { channel: 1, userId: 2 }, [0x01, 0x02]);
    expectRequestDecodes(getUserAccess, [0xf1, 0xc2], { channel: 1, userId: 2 });
    expectShortRequestsRefused(getUserAccess, Buffer.from([1, 2]));
  });
  it('Get User Access: max users, enabled count with its status bits 7:6, fixed names, access byte', () => {
    const u = { maxUsers: 10, enabledUsers: 2, enableStatus: 'enabled' as const, fixedNameUsers: 1, callbackOnly: false, linkAuthEnabled: true, ipmiMessagingEnabled: true, privilegeLimit: 4 };
    expectResponseRoundTrip(getUserAccess, u, [0x0a, 0x42, 0x01, 0x34]);
    expectResponseRoundTrip(getUserAccess, { ...u, enableStatus: 'disabled', callbackOnly: true, linkAuthEnabled: false, ipmiMessagingEnabled: false, privilegeLimit: 0x0f }, [0x0a, 0x82, 0x01, 0x4f]);
    expectResponseRoundTrip(getUserAccess, { ...u, enableStatus: 'unspecified', maxUsers: 63, enabledUsers: 63, fixedNameUsers: 63 }, [0x3f, 0x3f, 0x3f, 0x34]);
    expectProtocolError(() => getUserAccess.encodeResponse({ ...u, enableStatus: 'maybe' as never }), /enable status/);
  });
  it('Set User Access: the change bit, access bits, channel, user, privilege, optional session limit', () => {
    const base = { channel: 1, userId: 3, privilegeLimit: 3, ipmiMessaging: true, linkAuth: false, callbackOnly: false, changeFlags: true };
    expectRequestRoundTrip(setUserAccess, base, [0x91, 0x03, 0x03]);
    expectRequestRoundTrip(setUserAccess, { ...base, privilegeLimit: 4, linkAuth: true, callbackOnly: true }, [0xf1, 0x03, 0x04]);
    expectRequestRoundTrip(setUserAccess, { ...base, ipmiMessaging: false, changeFlags: false }, [0x01, 0x03, 0x03]);
    expectRequestRoundTrip(setUserAccess, { ...base, sessionLimit: 2 }, [0x91, 0x03, 0x03, 0x02]);
    expectShortRequestsRefused(setUserAccess, Buffer.from([0x91, 0x03, 0x03]));
    expectLongRequestRefused(setUserAccess, Buffer.from([0x91, 0x03, 0x03, 0x02]));
  });
  it('Get User Name: the user ID; the name in 16 zero-padded bytes', () => {
    expectRequestRoundTrip(getUserName, { userId: 2 }, [0x02]);
    expectResponseRoundTrip(getUserName, { name: 'admin' }, [...Buffer.from('admin'), ...Buffer.alloc(11)]);
    expectResponseRoundTrip(getUserName, { name: '' }, [...Buffer.alloc(16)]);
    expectResponseRoundTrip(getUserName, { name: '0123456789abcdef' }, [...Buffer.from('0123456789abcdef')]);
    expectResponseRoundTrip(getUserName, { name: 'café' }, [...Buffer.from('café', 'latin1'), ...Buffer.alloc(12)]);
    expectProtocolError(() => getUserName.encodeResponse({ name: 'a'.repeat(17) }), /longer than 16/);
    expectProtocolError(() => getUserName.encodeResponse({ name: 'snow☃' }), /Latin-1/);
  });
  it('Set User Name: user ID and the name up to its first NUL; ASCII only', () => {
    expectRequestRoundTrip(setUserName, { userId: 3, name: 'operator' }, [0x03, ...Buffer.from('operator'), ...Buffer.alloc(8)]);
    expectRequestRoundTrip(setUserName, { userId: 3, name: '' });
    expectRequestDecodes(setUserName, [0x03, 0x61, 0x00, 0x62, ...Buffer.alloc(13)], { userId: 3, name: 'a' });
    expectRequestRefused(() => setUserName.decodeRequest(Buffer.concat([Buffer.from([3]), Buffer.from('café', 'latin1'), Buffer.alloc(12)])), CC, /ASCII/);
    expectShortRequestsRefused(setUserName, setUserName.encode({ userId: 3, name: 'operator' }));
    expectLongRequestRefused(setUserName, setUserName.encode({ userId: 3, name: 'operator' }));
  });
  it('Set User Password: set and test carry a 16- or 20-byte field, decoded without its padding', () => {
    expectRequestRoundTrip(setUserPassword, { userId: 2, operation: UserPasswordOperation.set, twentyBytes: false, password: Buffer.from('secret') }, [0x02, 0x02, ...Buffer.from('secret'), ...Buffer.alloc(10)]);
    expectRequestRoundTrip(setUserPassword, { userId: 2, operation: UserPasswordOperation.set, twentyBytes: true, password: Buffer.from('0123456789abcdefghij') }, [0x82, 0x02, ...Buffer.from('0123456789abcdefghij')]);
    expectRequestRoundTrip(setUserPassword, { userId: 4, operation: UserPasswordOperation.test, twentyBytes: false, password: Buffer.from('pw') });
  });
  it('Set User Password: enable and disable carry no password (an ignored field of the right size is accepted)', () => {
    expectRequestRoundTrip(setUserPassword, { userId: 2, operation: UserPasswordOperation.enable, twentyBytes: false }, [0x02, 0x01]);
    expectRequestRoundTrip(setUserPassword, { userId: 2, operation: UserPasswordOperation.disable, twentyBytes: true }, [0x82, 0x00]);
    expectRequestDecodes(setUserPassword, [0x02, 0x01, ...Buffer.alloc(16, 0x61)], { userId: 2, operation: 1, twentyBytes: false });
    expectRequestRefused(() => setUserPassword.decodeRequest(Buffer.from([0x02, 0x01, 0x61])), C7);
  });
  it('Set User Password: the field must have the size byte 1 announces', () => {
    const set16 = setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.set, password: Buffer.from('secret') });
    expectShortRequestsRefused(setUserPassword, set16, 18);
    const as20 = Buffer.from(set16);
    as20[0] |= 0x80;
    expectRequestRefused(() => setUserPassword.decodeRequest(as20), C7, /expected 22/);
    expectRequestRefused(() => setUserPassword.decodeRequest(Buffer.concat([set16, Buffer.alloc(4)])), C7, /expected 18/);
    expectRequestRefused(() => setUserPassword.decodeRequest(Buffer.alloc(23)), C7);
  });
  it('the set commands have empty replies', () => {
    for (const c of [setChannelAccess, setUserAccess, setUserName, setUserPassword]) expect(c.encodeResponse()).toEqual(Buffer.alloc(0));
  });
});
