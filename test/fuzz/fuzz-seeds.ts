/**
 * Valid packets for the fuzzer, built with the library's own encoders: one reply and one request
 * per command (requests for the BMC side's decodeRequest), IPMI messages, IPMI v1.5 and RMCP+
 * session packets (in the clear, and sealed with fixed keys for cipher suites 3 and 17), Open
 * Session and RAKP messages, SDRs, SEL records, cipher suite records and DCMI capability parameters.
 * Each seed names the decoders that must accept it, and the offsets of its length fields.
 */
import { encodeAsfPing, encodeAsfPong, rmcpHeader, RMCP_CLASS_IPMI } from '../../lib/ipmi/codec/rmcp.ts';
import { AuthType, encodeLan15 } from '../../lib/ipmi/codec/lan15.ts';
import { encodeLanPlus, PayloadType, type SessionCrypto } from '../../lib/ipmi/codec/lanplus.ts';
import { encodeOpenSessionRequest, encodeOpenSessionResponse, encodeRakp1, encodeRakp2, encodeRakp3, encodeRakp4 } from '../../lib/ipmi/codec/rakp.ts';
import { checksum, encodeRequest, encodeResponse } from '../../lib/ipmi/codec/ipmi-message.ts';
import { u16le, u32le } from '../../lib/ipmi/codec/bytes.ts';
import { aesEncrypt } from '../../lib/ipmi/crypto/aes-cbc-128.ts';
import { CIPHER_SUITES } from '../../lib/ipmi/crypto/cipher-suites.ts';
import { integrityCode } from '../../lib/ipmi/crypto/rakp-keys.ts';
import type { IpmiCommand } from '../../lib/ipmi/commands/command.ts';
import * as chassis from '../../lib/ipmi/commands/chassis.ts';
import * as dcmiCapabilities from '../../lib/ipmi/commands/dcmi-capabilities.ts';
import * as dcmi from '../../lib/ipmi/commands/dcmi-power-reading.ts';
import * as authCaps from '../../lib/ipmi/commands/get-channel-auth-capabilities.ts';
import * as cipherSuites from '../../lib/ipmi/commands/get-channel-cipher-suites.ts';
import * as channelInfo from '../../lib/ipmi/commands/get-channel-info.ts';
import * as deviceId from '../../lib/ipmi/commands/get-device-id.ts';
import * as selTime from '../../lib/ipmi/commands/get-sel-time.ts';
import * as sensorReading from '../../lib/ipmi/commands/get-sensor-reading.ts';
import * as sensorThresholds from '../../lib/ipmi/commands/get-sensor-thresholds.ts';
import * as sessionInfo from '../../lib/ipmi/commands/get-session-info.ts';
import * as bootOptions from '../../lib/ipmi/commands/get-system-boot-options.ts';
import * as systemGuid from '../../lib/ipmi/commands/get-system-guid.ts';
import * as lanConfig from '../../lib/ipmi/commands/lan-config.ts';
import * as sdrRepository from '../../lib/ipmi/commands/sdr-repository.ts';
import * as sel from '../../lib/ipmi/commands/sel.ts';
import * as sessionControl from '../../lib/ipmi/commands/session-control.ts';
import * as sessionV15 from '../../lib/ipmi/commands/session-v15.ts';
import * as users from '../../lib/ipmi/commands/users.ts';
import * as fruAreaInfo from '../../lib/ipmi/commands/get-fru-inventory-area-info.ts';
import * as fruData from '../../lib/ipmi/commands/read-fru-data.ts';
import { compactSdr, fullSdr, GEN_SDRS_SENSORS, genSensor } from '../ipmi/sdr/sdr-builder.ts';

// ---------------------------------------------------------------------------------------------
// Keys and commands

export const PASSWORD = Buffer.from('password');
/** Deterministic filler bytes: start, start+7, start+14, ... */
export const keyBytes = (n: number, start: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (start + i * 7) & 0xff));
/** Fixed session keys: K1 and K2 are as long as the suite's HMAC output, as deriveKeys makes them. */
export const CRYPTO: Readonly<Record<'suite3' | 'suite17', SessionCrypto>> = {
  suite3: { suite: CIPHER_SUITES[3], k1: keyBytes(20, 0x11), k2: keyBytes(20, 0x52) },
  suite17: { suite: CIPHER_SUITES[17], k1: keyBytes(32, 0x23), k2: keyBytes(32, 0x64) },
};

export type AnyCommand = IpmiCommand<any, unknown>;
const isCommand = (x: unknown): x is AnyCommand =>
  typeof x === 'object' && x !== null && typeof (x as AnyCommand).decode === 'function' && typeof (x as AnyCommand).encode === 'function' && typeof (x as AnyCommand).cmd === 'number';

/** Every command module, by file name under lib/ipmi/commands. */
export const COMMAND_MODULES: Readonly<Record<string, Record<string, unknown>>> = {
  'chassis.ts': chassis,
  'dcmi-capabilities.ts': dcmiCapabilities,
  'dcmi-power-reading.ts': dcmi,
  'get-channel-auth-capabilities.ts': authCaps,
  'get-channel-cipher-suites.ts': cipherSuites,
  'get-channel-info.ts': channelInfo,
  'get-device-id.ts': deviceId,
  'get-sel-time.ts': selTime,
  'get-sensor-reading.ts': sensorReading,
  'get-sensor-thresholds.ts': sensorThresholds,
  'get-session-info.ts': sessionInfo,
  'get-system-boot-options.ts': bootOptions,
  'get-system-guid.ts': systemGuid,
  'get-fru-inventory-area-info.ts': fruAreaInfo,
  'read-fru-data.ts': fruData,
  'lan-config.ts': lanConfig,
  'sdr-repository.ts': sdrRepository,
  'sel.ts': sel,
  'session-control.ts': sessionControl,
  'session-v15.ts': sessionV15,
  'users.ts': users,
};
/** Every exported command of those modules. */
export const COMMANDS: readonly AnyCommand[] = Object.values(COMMAND_MODULES).flatMap((m) => Object.values(m).filter(isCommand));

const fullRecord = fullSdr(genSensor('Inlet Temp'));
const simSel = Buffer.from([0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x66, 0x20, 0x00, 0x04, 0x01, 0x01, 0x01, 0x57, 0x50, 0x55]);
const cipherRecords = Buffer.from([0xc0, 0x03, 0x01, 0x41, 0x81, 0xc0, 0x11, 0x03, 0x44, 0x81]);

/** A valid reply (data after the completion code) for every command, by the command's name. */
export const REPLY_SAMPLES: Readonly<Record<string, Buffer>> = {
  'Get Chassis Status': Buffer.from([0x21, 0x10, 0x40, 0x00]),
  'Chassis Control': Buffer.alloc(0),
  'Chassis Identify': Buffer.alloc(0),
  'Set System Boot Options': Buffer.alloc(0),
  'DCMI Get Power Reading': Buffer.from([0xdc, 0xc8, 0, 0x64, 0, 0x2c, 1, 0xfa, 0, 0, 0, 0, 0x66, 0xe8, 3, 0, 0, 0x40]),
  'Get Channel Authentication Capabilities': Buffer.from([0x01, 0x94, 0x04, 0x03, 0, 0, 0, 0]),
  'Get Channel Cipher Suites': Buffer.concat([Buffer.from([0x01]), cipherRecords]),
  'Get Device ID': Buffer.from([0x20, 0x01, 0x02, 0x17, 0x02, 0x9f, 0xb1, 0xa2, 0x00, 0x23, 0x06, 1, 2, 3, 4]),
  'Get Sensor Reading': Buffer.from([250, 0xc0, 0x38]),
  'Get LAN Configuration Parameters': Buffer.from([0x11, 10, 0, 0, 5]),
  'Set LAN Configuration Parameters': Buffer.alloc(0),
  'Get SDR Repository Info': Buffer.from([0x51, 5, 0, 0, 0x10, 0, 0, 0, 0x66, 0x10, 0, 0, 0x66, 0x22]),
  'Reserve SDR Repository': Buffer.from([0x34, 0x12]),
  'Get SDR': Buffer.concat([Buffer.from([0xff, 0xff]), fullRecord]),
  'Get SEL Info': Buffer.from([0x51, 2, 0, 0, 4, 0, 0, 0, 0x66, 0xff, 0xff, 0xff, 0xff, 0x8f]),
  'Reserve SEL': Buffer.from([0x01, 0x80]),
  'Get SEL Entry': Buffer.concat([Buffer.from([0x02, 0x00]), simSel]),
  'Clear SEL': Buffer.from([0x01]),
  'Set Session Privilege Level': Buffer.from([0x04]),
  'Close Session': Buffer.alloc(0),
  'Get Session Challenge': Buffer.concat([Buffer.from([1, 2, 3, 4]), keyBytes(16, 0x30)]),
  'Activate Session': Buffer.from([0x02, 1, 2, 3, 4, 5, 6, 7, 8, 0x04]),
  'Get Channel Access': Buffer.from([0x22, 0x04]),
  'Set Channel Access': Buffer.alloc(0),
  'Get User Access': Buffer.from([0x0a, 0x42, 0x01, 0x34]),
  'Set User Access': Buffer.alloc(0),
  'Get User Name': Buffer.concat([Buffer.from('admin'), Buffer.alloc(11)]),
  'Set User Name': Buffer.alloc(0),
  'Set User Password': Buffer.alloc(0),
  'Get Channel Info': Buffer.from([0x01, 0x04, 0x01, 0x82, 0xf2, 0x1b, 0x00, 0x00, 0x00]),
  'Get Sensor Thresholds': Buffer.from([0x12, 0x00, 0x10, 0x00, 0x00, 0x60, 0x00]),
  'Get System Boot Options': Buffer.from([0x01, 0x05, 0x80, 0x04, 0x00, 0x00, 0x00]),
  'Get SEL Time': Buffer.from([0x00, 0x00, 0x00, 0x66]),
  'DCMI Get DCMI Capabilities Info': Buffer.from([0xdc, 0x01, 0x05, 0x02, 0x00, 0x01, 0x05]),
  'Get System GUID': keyBytes(16, 0x40),
  'Set Power Restore Policy': Buffer.from([0x07]),
  'Get FRU Inventory Area Info': Buffer.from([0x00, 0x02, 0x00]),
  'Read FRU Data': Buffer.from([0x08, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xfe]),
  'Get Session Info': Buffer.from([0x01, 0x04, 0x01, 0x02, 0x04, 0x11, 192, 168, 0, 10, 0x00, 0x1b, 0x21, 0x0a, 0xff, 0x01, 0x6f, 0x02]),
};

/** A valid request (the data after the IPMI message header) for every command, made by its encoder. */
export const REQUEST_SAMPLES: Readonly<Record<string, Buffer>> = {
  'Get Chassis Status': chassis.getChassisStatus.encode(),
  'Chassis Control': chassis.chassisControl.encode({ action: chassis.ChassisAction.powerCycle }),
  'Chassis Identify': chassis.chassisIdentify.encode({ seconds: 30, forceOn: true }),
  'Set System Boot Options': chassis.setSystemBootOptions.encode({ parameter: 5, data: chassis.bootFlagsNextBoot('pxe') }),
  'DCMI Get Power Reading': dcmi.dcmiGetPowerReading.encode({ mode: 2, rollingPeriod: 0x45 }),
  'DCMI Get DCMI Capabilities Info': dcmiCapabilities.dcmiGetCapabilities.encode({ parameter: 1 }),
  'Get Channel Authentication Capabilities': authCaps.getChannelAuthCapabilities.encode({ privilege: 4 }),
  'Get Channel Cipher Suites': cipherSuites.getChannelCipherSuites.encode({ channel: 1, index: 1 }),
  'Get Channel Info': channelInfo.getChannelInfo.encode({}),
  'Get Device ID': deviceId.getDeviceId.encode(),
  'Get SEL Time': selTime.getSelTime.encode(),
  'Get Sensor Reading': sensorReading.getSensorReading.encode({ sensorNumber: 0x30 }),
  'Get Sensor Thresholds': sensorThresholds.getSensorThresholds.encode({ sensorNumber: 0x30 }),
  'Get Session Info': sessionInfo.getSessionInfo.encode({ sessionId: 0x12345678 }),
  'Get System Boot Options': bootOptions.getSystemBootOptions.encode({ parameter: 5 }),
  'Get System GUID': systemGuid.getSystemGuid.encode(),
  'Set Power Restore Policy': chassis.setPowerRestorePolicy.encode({ policy: 'always-off' }),
  'Get FRU Inventory Area Info': fruAreaInfo.getFruInventoryAreaInfo.encode({ deviceId: 0 }),
  'Read FRU Data': fruData.readFruData.encode({ deviceId: 0, offset: 0, count: 8 }),
  'Get LAN Configuration Parameters': lanConfig.getLanConfig.encode({ channel: 1, parameter: 3 }),
  'Set LAN Configuration Parameters': lanConfig.setLanConfig.encode({ channel: 1, parameter: 3, data: Buffer.from([10, 0, 0, 5]) }),
  'Get SDR Repository Info': sdrRepository.getSdrRepositoryInfo.encode(),
  'Reserve SDR Repository': sdrRepository.reserveSdrRepository.encode(),
  'Get SDR': sdrRepository.getSdr.encode({ reservationId: 0x1234, recordId: 5, offset: 0, length: 0xff }),
  'Get SEL Info': sel.getSelInfo.encode(),
  'Reserve SEL': sel.reserveSel.encode(),
  'Get SEL Entry': sel.getSelEntry.encode({ reservationId: 0, recordId: 2 }),
  'Clear SEL': sel.clearSel.encode({ reservationId: 0x8001, initiate: true }),
  'Set Session Privilege Level': sessionControl.setSessionPrivilegeLevel.encode({ privilege: 4 }),
  'Close Session': sessionControl.closeSession.encode({ sessionId: 0x12345678 }),
  'Get Session Challenge': sessionV15.getSessionChallenge.encode({ authType: 2, username: Buffer.from('admin') }),
  'Activate Session': sessionV15.activateSession.encode({ authType: 2, privilege: 4, challenge: keyBytes(16, 0x30), initialOutboundSequence: 0x11223344 }),
  'Get Channel Access': users.getChannelAccess.encode({ channel: 1 }),
  'Set Channel Access': users.setChannelAccess.encode({ channel: 1, volatile: false, access: { accessMode: 'always', alertingEnabled: false, perMessageAuthEnabled: true, userLevelAuthEnabled: true, privilegeLimit: 4 } }),
  'Get User Access': users.getUserAccess.encode({ channel: 1, userId: 2 }),
  'Set User Access': users.setUserAccess.encode({ channel: 1, userId: 3, privilegeLimit: 4, ipmiMessaging: true, linkAuth: true }),
  'Get User Name': users.getUserName.encode({ userId: 2 }),
  'Set User Name': users.setUserName.encode({ userId: 3, name: 'operator' }),
  'Set User Password': users.setUserPassword.encode({ userId: 2, operation: 2, password: PASSWORD, twentyBytes: true }),
};

/** Parameter data of Get DCMI Capabilities Info, by the name of its decoder in feedAll. */
export const DCMI_PARAMETER_SAMPLES: Readonly<Record<string, Buffer>> = {
  'dcmi.decodeDcmiSupportedCapabilities': Buffer.from([0x00, 0x01, 0x05]),
  'dcmi.decodeDcmiMandatoryAttributes': Buffer.from([0x00, 0x82, 0x00, 0x00, 0x05]),
  'dcmi.decodeDcmiOptionalAttributes': Buffer.from([0x20, 0x01]),
  'dcmi.decodeDcmiManageabilityAccess': Buffer.from([0x01, 0xff, 0xff]),
  'dcmi.decodeDcmiEnhancedPowerStatistics': Buffer.from([0x04, 0x1e, 0x45, 0x81, 0xc1]),
};

// ---------------------------------------------------------------------------------------------
// Valid packets (seeds)

export interface LengthField {
  offset: number;
  size: 1 | 2;
}

export interface Seed {
  name: string;
  bytes: Buffer;
  /** Repairs a mutated packet's checksums now and then, so that mutations reach past them. */
  fixup?: (b: Buffer) => Buffer;
  /** Decoders (feedAll names) that must return for the unmutated seed; the first is the seed's own. */
  mustDecode: string[];
  lengthFields: LengthField[];
  /** For RMCP+ seeds: what it takes to seal a mutated payload again with valid keys. */
  lanplus?: { crypto?: SessionCrypto; label: string; payloadType: number; sessionId: number; sequence: number; plain: Buffer };
}

export interface SealOptions {
  payloadType: number;
  sessionId: number;
  sequence: number;
  /** The payload as sent (ciphertext when encrypted). */
  body: Uint8Array;
  encrypted: boolean;
  authenticated: boolean;
  /** Wrong trailers, sealed with a correct AuthCode all the same. */
  padLength?: number;
  padBytes?: number;
  nextHeader?: number;
  payloadLength?: number;
}

/** Frame an RMCP+ packet as encodeLanPlus does, with the AuthCode computed over whatever trailer is asked for. */
export function sealLanPlus(o: SealOptions, crypto?: SessionCrypto): Buffer {
  const session = Buffer.from([
    AuthType.rmcpPlus,
    (o.encrypted ? 0x80 : 0) | (o.authenticated ? 0x40 : 0) | (o.payloadType & 0x3f),
    ...u32le(o.sessionId),
    ...u32le(o.sequence),
    ...u16le(o.payloadLength ?? o.body.length),
  ]);
  if (!o.authenticated || !crypto) return Buffer.concat([rmcpHeader(RMCP_CLASS_IPMI), session, o.body]);
  const pad = o.padBytes ?? (4 - ((session.length + o.body.length + 2) % 4)) % 4;
  const trailer = Buffer.concat([Buffer.alloc(pad, 0xff), Buffer.from([o.padLength ?? pad, o.nextHeader ?? 0x07])]);
  const covered = Buffer.concat([session, o.body, trailer]);
  return Buffer.concat([rmcpHeader(RMCP_CLASS_IPMI), covered, integrityCode(crypto.suite, crypto.k1, covered)]);
}

/** An RMCP+ packet with a chosen IV, so that seeds are the same on every run (encodeLanPlus draws a random IV). */
export function lanPlusWithIv(p: { payloadType: number; sessionId: number; sequence: number; payload: Uint8Array }, crypto: SessionCrypto | undefined, iv: Uint8Array): Buffer {
  const encrypt = !!crypto && crypto.suite.confidentiality !== 0;
  const body = encrypt ? aesEncrypt(crypto.k2, p.payload, iv) : Buffer.from(p.payload);
  return sealLanPlus({ payloadType: p.payloadType, sessionId: p.sessionId, sequence: p.sequence, body, encrypted: encrypt, authenticated: !!crypto && crypto.suite.integrity !== 0 }, crypto);
}

const LANPLUS_LENGTH: LengthField = { offset: 14, size: 2 };

/** Recompute both checksums of an IPMI message (of at least 4 bytes). */
export function fixChecksums(msg: Buffer): Buffer {
  if (msg.length < 4) return msg;
  const out = Buffer.from(msg);
  out[2] = checksum(out, 0, 2);
  out[out.length - 1] = checksum(out, 3, out.length - 1);
  return out;
}

const iv0 = keyBytes(16, 0xa0);

function buildSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const add = (s: Seed) => seeds.push(s);

  // RMCP / ASF
  add({ name: 'asf-ping', bytes: encodeAsfPing(0x42), mustDecode: ['rmcp.decodeAsfPing', 'rmcp.decodeRmcpHeader'], lengthFields: [] });
  add({ name: 'asf-pong', bytes: encodeAsfPong(0x42), mustDecode: ['rmcp.decodeAsfPong', 'rmcp.decodeRmcpHeader'], lengthFields: [{ offset: 11, size: 1 }] });

  // IPMI messages
  const authCapsReq = { netFn: 0x06, cmd: 0x38, data: authCaps.getChannelAuthCapabilities.encode({ privilege: 4 }), rqSeq: 1 };
  const deviceIdReq = { netFn: 0x06, cmd: 0x01, data: Buffer.alloc(0), rqSeq: 2 };
  const requests = [
    authCapsReq,
    deviceIdReq,
    { netFn: 0x00, cmd: 0x02, data: chassis.chassisControl.encode({ action: 1 }), rqSeq: 3 },
    { netFn: 0x0a, cmd: 0x23, data: sdrRepository.getSdr.encode({ reservationId: 0x1234, recordId: 5, offset: 0, length: 0xff }), rqSeq: 4 },
    { netFn: 0x06, cmd: 0x47, data: users.setUserPassword.encode({ userId: 2, operation: 2, password: PASSWORD, twentyBytes: true }), rqSeq: 5 },
    { netFn: 0x2c, cmd: 0x02, data: dcmi.dcmiGetPowerReading.encode({}), rqSeq: 6 },
  ];
  for (const r of requests) add({ name: `ipmi-request-${r.netFn}-${r.cmd}`, bytes: encodeRequest(r), mustDecode: ['ipmi.decodeRequest'], lengthFields: [], fixup: fixChecksums });
  const responses = new Map<string, Buffer>();
  for (const c of COMMANDS) {
    const data = REPLY_SAMPLES[c.name];
    const msg = encodeResponse({ netFn: c.netFn, cmd: c.cmd, data: Buffer.alloc(0), rqSeq: 9 }, 0x00, data);
    responses.set(c.name, msg);
    add({ name: `ipmi-response-${c.name}`, bytes: msg, mustDecode: ['ipmi.decodeResponse', `ipmi.decodeResponse > cmd.${c.name}`], lengthFields: [], fixup: fixChecksums });
    // The reply data on its own.
    add({ name: `reply-${c.name}`, bytes: data, mustDecode: [`cmd.${c.name}`], lengthFields: [] });
  }
  // Requests, as the BMC side reads them: the data on its own, and in an IPMI message.
  for (const c of COMMANDS) {
    const data = REQUEST_SAMPLES[c.name];
    add({ name: `request-${c.name}`, bytes: data, mustDecode: [`req.${c.name}`], lengthFields: [] });
    const msg = encodeRequest({ netFn: c.netFn, cmd: c.cmd, data, rqSeq: 10 });
    add({ name: `ipmi-request-${c.name}`, bytes: msg, mustDecode: ['ipmi.decodeRequest', `ipmi.decodeRequest > req.${c.name}`], lengthFields: [], fixup: fixChecksums });
  }
  add({ name: 'ipmi-response-error', bytes: encodeResponse(deviceIdReq, 0xc1), mustDecode: ['ipmi.decodeResponse'], lengthFields: [], fixup: fixChecksums });

  // IPMI v1.5 sessions (length byte after auth type, sequence, session id and the optional AuthCode)
  add({
    name: 'lan15-none',
    bytes: encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: encodeRequest(authCapsReq) }),
    mustDecode: ['lan15.decodeLan15', 'lan15.decodeLan15 > lan15.verifyLan15', 'lan15.decodeLan15 > ipmi.decodeRequest'],
    lengthFields: [{ offset: 13, size: 1 }],
  });
  for (const [label, authType] of [['md5', AuthType.md5], ['password', AuthType.password]] as const) {
    add({
      name: `lan15-${label}`,
      bytes: encodeLan15({ authType, sequence: 7, sessionId: 0x0a0b0c0d, message: responses.get('Get Device ID')!, password: PASSWORD }),
      mustDecode: ['lan15.decodeLan15', 'lan15.decodeLan15 > lan15.verifyLan15', 'lan15.decodeLan15 > ipmi.decodeResponse > cmd.Get Device ID'],
      lengthFields: [{ offset: 29, size: 1 }],
    });
  }

  // RMCP+ session setup, bare and wrapped
  const algorithms = { auth: 1, integrity: 1, confidentiality: 1 };
  const rakp: Array<[string, number, Buffer, LengthField[]]> = [
    ['rakp.decodeOpenSessionRequest', PayloadType.openSessionRequest, encodeOpenSessionRequest({ tag: 1, privilege: 4, consoleSessionId: 0xa1a2a3a4, algorithms }), [11, 19, 27].map((offset) => ({ offset, size: 1 as const }))],
    ['rakp.decodeOpenSessionResponse', PayloadType.openSessionResponse, encodeOpenSessionResponse({ tag: 1, status: 0, privilege: 4, consoleSessionId: 0xa1a2a3a4, bmcSessionId: 0x12345678, algorithms }), [15, 23, 31].map((offset) => ({ offset, size: 1 as const }))],
    ['rakp.decodeOpenSessionResponse', PayloadType.openSessionResponse, encodeOpenSessionResponse({ tag: 1, status: 0x11, privilege: 0, consoleSessionId: 0xa1a2a3a4, bmcSessionId: 0, algorithms }), []],
    ['rakp.decodeRakp1', PayloadType.rakp1, encodeRakp1({ tag: 2, bmcSessionId: 0x12345678, consoleRandom: keyBytes(16, 1), role: 0x14, username: Buffer.from('admin') }), [{ offset: 27, size: 1 }]],
    ['rakp.decodeRakp2', PayloadType.rakp2, encodeRakp2({ tag: 2, status: 0, consoleSessionId: 0xa1a2a3a4, bmcRandom: keyBytes(16, 2), bmcGuid: keyBytes(16, 3), authCode: keyBytes(20, 4) }), []],
    ['rakp.decodeRakp2', PayloadType.rakp2, encodeRakp2({ tag: 2, status: 0x0d, consoleSessionId: 0xa1a2a3a4, bmcRandom: Buffer.alloc(0), bmcGuid: Buffer.alloc(0), authCode: Buffer.alloc(0) }), []],
    ['rakp.decodeRakp3', PayloadType.rakp3, encodeRakp3({ tag: 3, status: 0, bmcSessionId: 0x12345678, authCode: keyBytes(32, 5) }), []],
    ['rakp.decodeRakp4', PayloadType.rakp4, encodeRakp4({ tag: 3, status: 0, consoleSessionId: 0xa1a2a3a4, integrityCheck: keyBytes(12, 6) }), []],
  ];
  for (const [decoder, payloadType, payload, fields] of rakp) {
    add({ name: `bare-${decoder}`, bytes: payload, mustDecode: [decoder], lengthFields: fields });
    // encodeLanPlus without keys: session setup travels in the clear with session id 0.
    const packet = encodeLanPlus({ payloadType, sessionId: 0, sequence: 0, payload });
    add({
      name: `lanplus-${decoder}`,
      bytes: packet,
      mustDecode: ['lanplus.decodeLanPlus(clear)', 'lanplus.peekLanPlus', `lanplus.decodeLanPlus(clear) > ${decoder}`, `lanplus.decodeLanPlus(suite3) > ${decoder}`, `lanplus.decodeLanPlus(suite17) > ${decoder}`],
      lengthFields: [LANPLUS_LENGTH, ...fields.map((f) => ({ offset: f.offset + 16, size: f.size }))],
      lanplus: { label: 'clear', payloadType, sessionId: 0, sequence: 0, plain: payload },
    });
  }

  // RMCP+ IPMI messages in integrity-protected, encrypted sessions
  for (const label of ['suite3', 'suite17'] as const) {
    const crypto = CRYPTO[label];
    const messages: Array<[string, Buffer, string[]]> = [
      ['device-id-request', encodeRequest(deviceIdReq), ['ipmi.decodeRequest']],
      ['device-id-response', responses.get('Get Device ID')!, ['ipmi.decodeResponse > cmd.Get Device ID']],
      ['chassis-status-response', responses.get('Get Chassis Status')!, ['ipmi.decodeResponse > cmd.Get Chassis Status']],
      ['dcmi-response', responses.get('DCMI Get Power Reading')!, ['ipmi.decodeResponse > cmd.DCMI Get Power Reading']],
      ['get-sdr-response', responses.get('Get SDR')!, ['ipmi.decodeResponse > cmd.Get SDR']],
    ];
    for (const [what, message, inner] of messages) {
      const p = { payloadType: PayloadType.ipmi, sessionId: 0x12345678, sequence: 5, payload: message };
      add({
        name: `lanplus-${label}-${what}`,
        bytes: lanPlusWithIv(p, crypto, iv0),
        mustDecode: [`lanplus.decodeLanPlus(${label})`, 'lanplus.peekLanPlus', ...inner.map((n) => `lanplus.decodeLanPlus(${label}) > ${n}`)],
        lengthFields: [LANPLUS_LENGTH],
        lanplus: { crypto, label, payloadType: p.payloadType, sessionId: p.sessionId, sequence: p.sequence, plain: message },
      });
    }
  }
  // An OEM explicit payload (type 0x02) carries the OEM IANA and payload id before the session id.
  add({
    name: 'lanplus-oem-explicit',
    bytes: Buffer.concat([rmcpHeader(RMCP_CLASS_IPMI), Buffer.from([0x06, 0x02, 0xb1, 0xa2, 0x00, 0x00, 0x01, 0x00, ...u32le(0), ...u32le(0), ...u16le(3), 1, 2, 3])]),
    mustDecode: ['lanplus.decodeLanPlus(clear)', 'lanplus.peekLanPlus'],
    lengthFields: [{ offset: 20, size: 2 }],
  });

  // Records
  for (const s of GEN_SDRS_SENSORS) {
    add({ name: `sdr-${s.name}`, bytes: fullSdr(s), mustDecode: ['sdr.decodeSdr', 'sdr.decodeSdrHeader', 'sdr.decodeSdr > sdr.sensorValue'], lengthFields: [{ offset: 4, size: 1 }, { offset: 47, size: 1 }] });
  }
  add({ name: 'sdr-all-thresholds', bytes: fullSdr({ ...genSensor('PSU1 Temp'), readableMask: 0x3f, lower: [0xec, 0xf6, 0xfb], linearization: 0x07 }), mustDecode: ['sdr.decodeSdr'], lengthFields: [{ offset: 4, size: 1 }] });
  add({ name: 'sdr-compact', bytes: compactSdr({ sensorNumber: 0x30, entityId: 0x0a, entityInstance: 1, sensorType: 0x08, eventReadingType: 0x6f, name: 'PS1 Status' }), mustDecode: ['sdr.decodeSdr'], lengthFields: [{ offset: 4, size: 1 }, { offset: 31, size: 1 }] });
  add({ name: 'sdr-mc-locator', bytes: Buffer.from([0x05, 0x00, 0x51, 0x12, 0x0e, 0x20, 0, 0, 0, 0xbf, 0, 0, 0, 0, 0, 0xc3, 0x42, 0x4d, 0x43]), mustDecode: ['sdr.decodeSdr'], lengthFields: [{ offset: 4, size: 1 }] });
  add({ name: 'sel-sim-assert', bytes: simSel, mustDecode: ['sel.decodeSelRecord'], lengthFields: [] });
  add({ name: 'sel-oem-timestamped', bytes: Buffer.from([0x07, 0x00, 0xc1, 0x10, 0, 0, 0x66, 0x57, 0x01, 0, 1, 2, 3, 4, 5, 6]), mustDecode: ['sel.decodeSelRecord'], lengthFields: [] });
  add({ name: 'sel-oem', bytes: Buffer.from([0x08, 0x00, 0xe0, ...keyBytes(13, 9)]), mustDecode: ['sel.decodeSelRecord'], lengthFields: [] });
  add({ name: 'cipher-suite-records', bytes: cipherRecords, mustDecode: ['cmd.parseCipherSuiteRecords'], lengthFields: [] });
  add({ name: 'cipher-suite-oem-record', bytes: Buffer.from([0xc1, 0x80, 0xb1, 0xa2, 0x00, 0x01, 0x41, 0xc0, 0x00, 0x00, 0x40, 0x80]), mustDecode: ['cmd.parseCipherSuiteRecords'], lengthFields: [] });
  for (const [decoder, bytes] of Object.entries(DCMI_PARAMETER_SAMPLES)) {
    add({ name: `dcmi-parameter-${decoder}`, bytes, mustDecode: [decoder], lengthFields: decoder.endsWith('EnhancedPowerStatistics') ? [{ offset: 0, size: 1 }] : [] });
  }
  add({ name: 'lan-mac', bytes: Buffer.from([0x00, 0x1b, 0x21, 0x0a, 0xff, 0x01]), mustDecode: ['lan.decodeMac', 'lan.decodeIPv4', 'lan.decodeVlan', 'lan.decodeIpSource'], lengthFields: [] });
  return seeds;
}

let seedCache: Seed[] | undefined;
export function seeds(): Seed[] {
  return (seedCache ??= buildSeeds());
}

let sealedCache: Set<string> | undefined;
/** The session part (after the RMCP header) of every seed sealed with keys, as hex. */
export function sealedSessions(): Set<string> {
  return (sealedCache ??= new Set(seeds().filter((s) => s.lanplus?.crypto).map((s) => s.bytes.subarray(4).toString('hex'))));
}
