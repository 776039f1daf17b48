/**
 * Fuzz targets for every IPMI decoder. One packet (random, or a valid packet from fuzz-seeds.ts
 * mutated) goes through every decoder; what a decoder decodes is fed on to the decoders of the
 * layer inside it (RMCP+ payload -> IPMI message -> command reply). The only acceptable outcomes of
 * a decoder call are a return value or an IpmiError; anything else (RangeError, TypeError, ...) is a
 * finding, kept with the decoder name and the input bytes. An oracle also flags any RMCP+ packet
 * accepted as authenticated that no one sealed with the session keys, and a round-trip oracle any
 * value a decoder returns that its encoder does not give back unchanged (the BMC side's
 * encodeResponse for replies, the console's encode for what decodeRequest reads). Everything is driven by a
 * seeded PRNG so that a finding reproduces from (seed, packet index).
 */
import { createCipheriv } from 'node:crypto';
import { decodeAsfPing, decodeAsfPong, decodeRmcpHeader, rmcpHeader, RMCP_CLASS_IPMI } from '../../lib/ipmi/codec/rmcp.ts';
import { decodeLan15, verifyLan15 } from '../../lib/ipmi/codec/lan15.ts';
import { decodeLanPlus, PayloadType, peekLanPlus, type LanPlusPacket, type SessionCrypto } from '../../lib/ipmi/codec/lanplus.ts';
import { decodeOpenSessionRequest, decodeOpenSessionResponse, decodeRakp1, decodeRakp2, decodeRakp3, decodeRakp4 } from '../../lib/ipmi/codec/rakp.ts';
import { decodeRequest, decodeResponse } from '../../lib/ipmi/codec/ipmi-message.ts';
import { aesEncrypt } from '../../lib/ipmi/crypto/aes-cbc-128.ts';
import { decodeSdr, decodeSdrHeader, isSensorRecord } from '../../lib/ipmi/sdr/records.ts';
import { sensorValue } from '../../lib/ipmi/sdr/sensor-value.ts';
import { decodeSelRecord } from '../../lib/ipmi/sel/event.ts';
import { IpmiError, IpmiProtocolError } from '../../lib/ipmi/errors.ts';
import { encodeCipherSuiteRecords, parseCipherSuiteRecords } from '../../lib/ipmi/commands/get-channel-cipher-suites.ts';
import { getSensorReading } from '../../lib/ipmi/commands/get-sensor-reading.ts';
import { decodeIPv4, decodeIpSource, decodeMac, decodeVlan, encodeIPv4, encodeIpSource, encodeMac, encodeVlan } from '../../lib/ipmi/commands/lan-config.ts';
import {
  decodeDcmiEnhancedPowerStatistics,
  decodeDcmiMandatoryAttributes,
  decodeDcmiManageabilityAccess,
  decodeDcmiOptionalAttributes,
  decodeDcmiSupportedCapabilities,
  encodeDcmiEnhancedPowerStatistics,
  encodeDcmiMandatoryAttributes,
  encodeDcmiManageabilityAccess,
  encodeDcmiOptionalAttributes,
  encodeDcmiSupportedCapabilities,
} from '../../lib/ipmi/commands/dcmi-capabilities.ts';
import { COMMANDS, CRYPTO, fixChecksums, lanPlusWithIv, PASSWORD, sealedSessions, sealLanPlus, seeds, type AnyCommand, type Seed } from './fuzz-seeds.ts';

import { seededRandom } from '../../lib/util/prng.ts';

export type Rng = () => number;

/** mulberry32, the seeded PRNG the whole project uses. */
export const mulberry32: (seed: number) => Rng = seededRandom;

/** The seed of packet `index` of a run: each packet replays on its own with fuzzOnce(mulberry32(packetSeed(seed, i))). */
export function packetSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)];
const randomBytesFrom = (rng: Rng, n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(rng, 256);
  return b;
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// ---------------------------------------------------------------------------------------------
// Probing decoders

export interface Finding {
  /** The decoder that threw something other than an IpmiError. */
  decoder: string;
  /** How the input reached it, outermost first ("lanplus.decodeLanPlus(suite3) > ipmi.decodeResponse"). */
  path: string;
  errorName: string;
  message: string;
  /** The decoder's own input. */
  inputHex: string;
  /** The whole fuzzed packet. */
  packetHex: string;
  origin: string;
  stack?: string;
}

export interface DecoderStats {
  ok: number;
  /** IpmiProtocolError */
  rejected: number;
  /** Other IpmiError subclasses. */
  otherIpmiError: number;
  findings: number;
}

export class FuzzContext {
  readonly stats = new Map<string, DecoderStats>();
  readonly findings: Finding[] = [];
  findingCount = 0;
  packets = 0;
  /** Mutated packets whose seed's own (first) decoder refused them with IpmiProtocolError. */
  mutated = 0;
  mutatedRejected = 0;
  /** Per packet: decoders that returned (with their path when chained: "a > b"), and those that refused with IpmiProtocolError. */
  lastOk = new Set<string>();
  lastRejected = new Set<string>();
  /** RMCP+ packets that decodeLanPlus accepted as authenticated in this packet, by key label. */
  readonly authenticatedLanPlus = new Map<string, LanPlusPacket>();
  /** With trackRejections: IpmiProtocolError messages by decoder (numbers as N), to show which checks were reached. */
  readonly rejections = new Map<string, number>();
  private packetBytes: Uint8Array = new Uint8Array();
  private packetHex = '';
  private origin = '';
  private path: string[] = [];
  private readonly seen = new Map<string, number>();

  constructor(
    readonly maxExamplesPerKind = 3,
    readonly trackRejections = false,
  ) {}

  begin(packet: Uint8Array, origin: string): void {
    this.packets++;
    this.packetHex = '';
    this.packetBytes = packet;
    this.origin = origin;
    this.lastOk.clear();
    this.lastRejected.clear();
    this.authenticatedLanPlus.clear();
  }

  private stat(name: string): DecoderStats {
    let s = this.stats.get(name);
    if (!s) this.stats.set(name, (s = { ok: 0, rejected: 0, otherIpmiError: 0, findings: 0 }));
    return s;
  }

  /** Run one decoder; undefined when it threw. */
  probe<T>(name: string, input: Uint8Array, fn: (b: Buffer) => T): T | undefined {
    const s = this.stat(name);
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    try {
      const out = fn(buf);
      s.ok++;
      this.lastOk.add(this.path.length === 0 ? name : `${this.path.join(' > ')} > ${name}`);
      return out;
    } catch (e) {
      if (e instanceof IpmiProtocolError) {
        s.rejected++;
        this.lastRejected.add(name);
        if (this.trackRejections) {
          const key = `${name}: ${e.message.replace(/\d+/g, 'N')}`;
          this.rejections.set(key, (this.rejections.get(key) ?? 0) + 1);
        }
      } else if (e instanceof IpmiError) {
        s.otherIpmiError++;
      } else {
        s.findings++;
        this.record(name, buf, fn, e);
      }
      return undefined;
    }
  }

  /** Probe inside the layer `name` (for chained decoders). */
  within<T>(name: string, body: () => T): T {
    this.path.push(name);
    try {
      return body();
    } finally {
      this.path.pop();
    }
  }

  /** A decoder returned where it must not have (an oracle outside the decoder saw it). */
  wrongAcceptance(name: string, input: Uint8Array, why: string): void {
    this.oracleFailure(name, input, 'WrongAcceptance', why);
  }

  /** An oracle outside the decoders saw something wrong; it counts as a finding of `name`. */
  oracleFailure(name: string, input: Uint8Array, errorName: string, why: string): void {
    this.stat(name).findings++;
    this.record(name, Buffer.from(input), () => {
      throw new Error(why);
    }, Object.assign(new Error(why), { name: errorName }));
  }

  private record(name: string, input: Buffer, fn: (b: Buffer) => unknown, e: unknown): void {
    this.findingCount++;
    const err = e instanceof Error ? e : new Error(String(e));
    const kind = `${name}|${err.name}|${err.message.replace(/\d+/g, 'N')}`;
    const n = this.seen.get(kind) ?? 0;
    this.seen.set(kind, n + 1);
    if (n >= this.maxExamplesPerKind) return;
    // The run may have turned stack traces off for speed: replay the input to get one.
    let stack = err.stack;
    const limit = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 20;
      fn(Buffer.from(input));
    } catch (again) {
      if (again instanceof Error) stack = again.stack;
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.findings.push({
      decoder: name,
      path: [...this.path, name].join(' > '),
      errorName: err.name,
      message: err.message,
      inputHex: hex(input),
      packetHex: this.packetHex || (this.packetHex = hex(this.packetBytes)),
      origin: this.origin,
      stack,
    });
  }
}

const CRYPTO_VARIANTS: ReadonlyArray<[string, SessionCrypto | undefined]> = [
  ['clear', undefined],
  ['suite3', CRYPTO.suite3],
  ['suite17', CRYPTO.suite17],
];
const COMMAND_BY_CODE = new Map(COMMANDS.map((c) => [`${c.netFn}:${c.cmd}`, c]));

const showValue = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer' ? `<${hex(Buffer.from((x as { data: number[] }).data))}>` : x)) ?? String(v);

/**
 * Deep equality for decoded values (primitives, Buffers, arrays, plain objects): a key with the
 * value undefined differs from a missing key, as in isDeepStrictEqual, at a fraction of its cost.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.constructor === b.constructor && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
  }
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * Round-trip oracle: a value a decoder returned goes through the matching encoder and the decoder
 * again, and must come back deep-equal. An encoder that throws on a decoded value is a finding too.
 */
export function roundTrip<T>(ctx: FuzzContext, name: string, input: Uint8Array, value: T, encode: (v: T) => Uint8Array, decode: (b: Buffer) => T): void {
  let again: T;
  try {
    again = decode(Buffer.from(encode(value)));
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    ctx.oracleFailure(`roundtrip.${name}`, input, 'RoundTripError', `encoding the decoded ${showValue(value)} threw ${err.name}: ${err.message}`);
    return;
  }
  if (!sameValue(again, value)) {
    ctx.oracleFailure(`roundtrip.${name}`, input, 'RoundTripMismatch', `decoded ${showValue(value)}, encoded and decoded again ${showValue(again)}`);
  }
}

const REPLY_NAME = new Map(COMMANDS.map((c) => [c, `cmd.${c.name}`]));
const REQUEST_NAME = new Map(COMMANDS.map((c) => [c, `req.${c.name}`]));

/** A command's reply decoder, with the BMC side's encodeResponse as its round trip. */
function probeReply(ctx: FuzzContext, c: AnyCommand, data: Uint8Array): void {
  const name = REPLY_NAME.get(c)!;
  const res = ctx.probe(name, data, (b) => c.decode(b));
  if (res !== undefined && c.encodeResponse) roundTrip(ctx, name, data, res, c.encodeResponse, c.decode);
}

/** The BMC side's request decoder (untrusted input in the simulator), with the console's encode as its round trip. */
function probeRequest(ctx: FuzzContext, c: AnyCommand, data: Uint8Array): void {
  const decode = c.decodeRequest;
  if (!decode) return;
  const name = REQUEST_NAME.get(c)!;
  const req = ctx.probe(name, data, (b) => decode(b));
  if (req !== undefined) roundTrip(ctx, name, data, req, (r) => c.encode(r), decode);
}

/** Decode an IPMI message both ways, and its reply or request data with the matching command. */
function feedMessage(ctx: FuzzContext, msg: Uint8Array): void {
  const rsp = ctx.probe('ipmi.decodeResponse', msg, decodeResponse);
  if (rsp) {
    const cmd = COMMAND_BY_CODE.get(`${rsp.netFn & ~1}:${rsp.cmd}`);
    if (cmd) ctx.within('ipmi.decodeResponse', () => probeReply(ctx, cmd, rsp.data));
  }
  const rq = ctx.probe('ipmi.decodeRequest', msg, decodeRequest);
  if (rq) {
    const cmd = COMMAND_BY_CODE.get(`${rq.netFn}:${rq.cmd}`);
    if (cmd) ctx.within('ipmi.decodeRequest', () => probeRequest(ctx, cmd, rq.data));
  }
}

/** The decoders for an RMCP+ payload of a given type. */
function feedPayload(ctx: FuzzContext, payloadType: number, payload: Buffer): void {
  switch (payloadType) {
    case PayloadType.ipmi:
      return feedMessage(ctx, payload);
    case PayloadType.openSessionRequest:
      return void ctx.probe('rakp.decodeOpenSessionRequest', payload, decodeOpenSessionRequest);
    case PayloadType.openSessionResponse:
      return void ctx.probe('rakp.decodeOpenSessionResponse', payload, decodeOpenSessionResponse);
    case PayloadType.rakp1:
      return void ctx.probe('rakp.decodeRakp1', payload, decodeRakp1);
    case PayloadType.rakp2:
      return void ctx.probe('rakp.decodeRakp2', payload, decodeRakp2);
    case PayloadType.rakp3:
      return void ctx.probe('rakp.decodeRakp3', payload, decodeRakp3);
    case PayloadType.rakp4:
      return void ctx.probe('rakp.decodeRakp4', payload, decodeRakp4);
  }
}

/** A decoder with an encoder that inverts it: probe, then check the round trip. */
function probeWithRoundTrip<T>(ctx: FuzzContext, name: string, input: Uint8Array, decode: (b: Buffer) => T, encode: (v: T) => Uint8Array): void {
  const v = ctx.probe(name, input, decode);
  if (v !== undefined) roundTrip(ctx, name, input, v, encode, decode);
}

/** Feed one packet to every decoder, and what they decode to the decoders inside. */
export function feedAll(ctx: FuzzContext, packet: Buffer): void {
  // RMCP / ASF
  ctx.probe('rmcp.decodeRmcpHeader', packet, decodeRmcpHeader);
  ctx.probe('rmcp.decodeAsfPong', packet, decodeAsfPong);
  ctx.probe('rmcp.decodeAsfPing', packet, decodeAsfPing);
  // IPMI v1.5 session
  const l15 = ctx.probe('lan15.decodeLan15', packet, decodeLan15);
  if (l15) {
    ctx.within('lan15.decodeLan15', () => {
      ctx.probe('lan15.verifyLan15', packet, () => verifyLan15(l15, PASSWORD));
      feedMessage(ctx, l15.message);
    });
  }
  // RMCP+ session, without keys and with the keys of suites 3 and 17
  ctx.probe('lanplus.peekLanPlus', packet, peekLanPlus);
  for (const [label, crypto] of CRYPTO_VARIANTS) {
    const name = `lanplus.decodeLanPlus(${label})`;
    const p = ctx.probe(name, packet, (b) => decodeLanPlus(b, crypto));
    if (p?.authenticated) ctx.authenticatedLanPlus.set(label, p);
    if (p) ctx.within(name, () => feedPayload(ctx, p.payloadType, p.payload));
  }
  // RMCP+ session setup messages
  ctx.probe('rakp.decodeOpenSessionRequest', packet, decodeOpenSessionRequest);
  ctx.probe('rakp.decodeOpenSessionResponse', packet, decodeOpenSessionResponse);
  ctx.probe('rakp.decodeRakp1', packet, decodeRakp1);
  ctx.probe('rakp.decodeRakp2', packet, decodeRakp2);
  ctx.probe('rakp.decodeRakp3', packet, decodeRakp3);
  ctx.probe('rakp.decodeRakp4', packet, decodeRakp4);
  // IPMI messages
  feedMessage(ctx, packet);
  // Command replies (console side) and requests (BMC side)
  for (const c of COMMANDS) {
    probeReply(ctx, c, packet);
    probeRequest(ctx, c, packet);
  }
  probeWithRoundTrip(ctx, 'cmd.parseCipherSuiteRecords', packet, parseCipherSuiteRecords, encodeCipherSuiteRecords);
  probeWithRoundTrip(ctx, 'lan.decodeIPv4', packet, (b) => decodeIPv4(b), (v) => encodeIPv4(v));
  probeWithRoundTrip(ctx, 'lan.decodeMac', packet, (b) => decodeMac(b), (v) => encodeMac(v));
  probeWithRoundTrip(ctx, 'lan.decodeVlan', packet, decodeVlan, encodeVlan);
  probeWithRoundTrip(ctx, 'lan.decodeIpSource', packet, decodeIpSource, encodeIpSource);
  // DCMI capability parameters
  probeWithRoundTrip(ctx, 'dcmi.decodeDcmiSupportedCapabilities', packet, decodeDcmiSupportedCapabilities, encodeDcmiSupportedCapabilities);
  probeWithRoundTrip(ctx, 'dcmi.decodeDcmiMandatoryAttributes', packet, decodeDcmiMandatoryAttributes, encodeDcmiMandatoryAttributes);
  probeWithRoundTrip(ctx, 'dcmi.decodeDcmiOptionalAttributes', packet, decodeDcmiOptionalAttributes, encodeDcmiOptionalAttributes);
  probeWithRoundTrip(ctx, 'dcmi.decodeDcmiManageabilityAccess', packet, decodeDcmiManageabilityAccess, encodeDcmiManageabilityAccess);
  probeWithRoundTrip(ctx, 'dcmi.decodeDcmiEnhancedPowerStatistics', packet, decodeDcmiEnhancedPowerStatistics, encodeDcmiEnhancedPowerStatistics);
  // Records
  ctx.probe('sdr.decodeSdrHeader', packet, decodeSdrHeader);
  const rec = ctx.probe('sdr.decodeSdr', packet, decodeSdr);
  if (rec && isSensorRecord(rec)) {
    ctx.within('sdr.decodeSdr', () => {
      const tail = packet.subarray(Math.max(0, packet.length - 4));
      const reading = ctx.probe('cmd.Get Sensor Reading', tail, (b) => getSensorReading.decode(b));
      if (reading) roundTrip(ctx, 'cmd.Get Sensor Reading', tail, reading, getSensorReading.encodeResponse, getSensorReading.decode);
      ctx.probe('sdr.sensorValue', tail, () => sensorValue(rec, reading ?? null));
    });
  }
  ctx.probe('sel.decodeSelRecord', packet, decodeSelRecord);
}

// ---------------------------------------------------------------------------------------------
// Mutations

const INTERESTING = [0x00, 0x01, 0x02, 0x06, 0x07, 0x0f, 0x10, 0x11, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xc1, 0xdc, 0xe0, 0xfe, 0xff];

type Mutation = (rng: Rng, b: Buffer, seed: Seed) => Buffer;

const MUTATIONS: ReadonlyArray<[string, Mutation]> = [
  ['flip-bits', (rng, b) => {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    for (let n = 1 + int(rng, 4); n > 0; n--) out[int(rng, out.length)] ^= 1 << int(rng, 8);
    return out;
  }],
  ['set-byte', (rng, b) => {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    out[int(rng, out.length)] = rng() < 0.5 ? pick(rng, INTERESTING) : int(rng, 256);
    return out;
  }],
  ['truncate', (rng, b) => b.subarray(0, int(rng, b.length))],
  ['truncate-tail', (rng, b) => b.subarray(0, Math.max(0, b.length - 1 - int(rng, 4)))],
  ['extend', (rng, b) => Buffer.concat([b, randomBytesFrom(rng, 1 + int(rng, 64))])],
  ['insert', (rng, b) => {
    const at = int(rng, b.length + 1);
    return Buffer.concat([b.subarray(0, at), randomBytesFrom(rng, 1 + int(rng, 16)), b.subarray(at)]);
  }],
  ['delete', (rng, b) => {
    const at = int(rng, b.length + 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(rng, 16))]);
  }],
  ['splice-random', (rng, b) => {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    const at = int(rng, out.length);
    randomBytesFrom(rng, Math.min(out.length - at, 1 + int(rng, 16))).copy(out, at);
    return out;
  }],
  ['crossover', (rng, b) => {
    const other = pick(rng, seeds()).bytes;
    const at = int(rng, b.length + 1);
    const from = int(rng, other.length + 1);
    return Buffer.concat([b.subarray(0, at), other.subarray(from)]);
  }],
  ['length-field', (rng, b, seed) => {
    const fields = seed.lengthFields.filter((f) => f.offset + f.size <= b.length);
    if (fields.length === 0) return b;
    const f = pick(rng, fields);
    const out = Buffer.from(b);
    const max = f.size === 1 ? 0xff : 0xffff;
    const current = f.size === 1 ? out[f.offset] : out.readUInt16LE(f.offset);
    const v = pick(rng, [0, 1, max, max - 1, 0x7f, 0x80, (current + 1) & max, (current - 1) & max, current + int(rng, 40), int(rng, max + 1)]) & max;
    if (f.size === 1) out[f.offset] = v;
    else out.writeUInt16LE(v, f.offset);
    return out;
  }],
];

/** Mutate an RMCP+ packet's payload or trailer and seal it again with valid keys, to reach the code after the integrity check. */
function reseal(rng: Rng, seed: Seed): { bytes: Buffer; how: string } {
  const l = seed.lanplus!;
  const crypto = l.crypto;
  const base = { payloadType: l.payloadType, sessionId: l.sessionId, sequence: l.sequence };
  const encrypt = !!crypto && crypto.suite.confidentiality !== 0;
  const authenticated = !!crypto;
  const choice = int(rng, 5);
  if (choice <= 1 || !crypto) {
    // A mutated plaintext, properly encrypted and sealed: the inner decoders see it.
    let plain: Buffer = l.plain;
    const [name, m] = pick(rng, MUTATIONS);
    plain = m(rng, plain, { ...seed, lengthFields: [] });
    if (l.payloadType === PayloadType.ipmi && rng() < 0.5) plain = fixChecksums(plain);
    return { bytes: lanPlusWithIv({ ...base, payload: plain }, crypto, randomBytesFrom(rng, 16)), how: `reseal-plain:${name}` };
  }
  if (choice === 2) {
    // Ciphertext of any length (not whole blocks, too short, ...), with a valid AuthCode.
    const body = randomBytesFrom(rng, pick(rng, [0, 1, 15, 16, 17, 31, 32, 33, 48, int(rng, 100)]));
    return { bytes: sealLanPlus({ ...base, body, encrypted: true, authenticated }, crypto), how: 'reseal-ciphertext-length' };
  }
  if (choice === 3) {
    // Whole blocks that decrypt to a bad confidentiality pad.
    const blocks = 1 + int(rng, 3);
    const plain = randomBytesFrom(rng, 16 * blocks);
    if (rng() < 0.5) plain[plain.length - 1] = int(rng, 16); // plausible pad length, random pad bytes
    const iv = randomBytesFrom(rng, 16);
    const c = createCipheriv('aes-128-cbc', crypto.k2.subarray(0, 16), iv);
    c.setAutoPadding(false);
    const body = Buffer.concat([iv, c.update(plain), c.final()]);
    return { bytes: sealLanPlus({ ...base, body, encrypted: encrypt && rng() < 0.9, authenticated }, crypto), how: 'reseal-bad-pad' };
  }
  // A valid payload with a wrong integrity trailer or header, sealed with a correct AuthCode.
  const body = encrypt ? aesEncrypt(crypto.k2, l.plain, randomBytesFrom(rng, 16)) : l.plain;
  const o = {
    ...base,
    body,
    encrypted: rng() < 0.8 ? encrypt : !encrypt,
    authenticated,
    padLength: rng() < 0.5 ? int(rng, 256) : undefined,
    padBytes: rng() < 0.5 ? int(rng, 8) : undefined,
    nextHeader: rng() < 0.3 ? int(rng, 256) : undefined,
    payloadLength: rng() < 0.3 ? int(rng, 0x10000) : undefined,
    payloadType: rng() < 0.2 ? int(rng, 64) : base.payloadType,
    sessionId: rng() < 0.1 ? 0 : base.sessionId,
  };
  return { bytes: sealLanPlus(o, crypto), how: 'reseal-trailer' };
}

export interface FuzzCase {
  origin: string;
  bytes: Buffer;
  seed?: Seed;
  /** Sealed again with the session keys after mutation: a valid AuthCode is expected. */
  resealed?: boolean;
}

/** One packet: random bytes, or a valid seed mutated 1-4 times, or an RMCP+ seed mutated and sealed again. */
export function generatePacket(rng: Rng): FuzzCase {
  const r = rng();
  if (r < 0.1) {
    const bytes = randomBytesFrom(rng, int(rng, 301));
    // Random, but with a valid RMCP header now and then, so the session decoders look further.
    if (bytes.length >= 6 && rng() < 0.5) {
      rmcpHeader(RMCP_CLASS_IPMI).copy(bytes);
      bytes[4] = pick(rng, [0x00, 0x02, 0x04, 0x06]);
    }
    return { origin: 'random', bytes };
  }
  const all = seeds();
  if (r < 0.25) {
    const lp = all.filter((s) => s.lanplus);
    const seed = pick(rng, lp);
    const { bytes, how } = reseal(rng, seed);
    return { origin: `${seed.name}/${how}`, bytes, seed, resealed: true };
  }
  const seed = pick(rng, all);
  let bytes: Buffer = seed.bytes;
  const names: string[] = [];
  for (let n = 1 + int(rng, 4); n > 0; n--) {
    const [name, m] = pick(rng, MUTATIONS);
    bytes = m(rng, bytes, seed);
    names.push(name);
  }
  if (seed.fixup && rng() < 0.5) {
    bytes = seed.fixup(bytes);
    names.push('fixup');
  }
  return { origin: `${seed.name}/${names.join('+')}`, bytes, seed };
}

/** Generate one packet and feed it to every decoder. Returns what was fed; findings land in ctx. */
export function fuzzOnce(rng: Rng, ctx: FuzzContext): FuzzCase {
  const c = generatePacket(rng);
  feedCase(ctx, c);
  return c;
}

/** Feed one case to every decoder and apply the oracles that look across decoders. */
export function feedCase(ctx: FuzzContext, c: FuzzCase): void {
  ctx.begin(c.bytes, c.origin);
  feedAll(ctx, c.bytes);
  if (c.seed && !c.seed.bytes.equals(c.bytes)) {
    ctx.mutated++;
    if (ctx.lastRejected.has(c.seed.mustDecode[0])) ctx.mutatedRejected++;
  }
  // Integrity oracle: without resealing, only the session bytes of a sealed seed can pass the AuthCode
  // check (mutations may splice one in whole; the 4-byte RMCP header is outside the AuthCode).
  // Anything else accepted as authenticated is a forgery.
  if (!c.resealed && ctx.authenticatedLanPlus.size > 0) {
    if (!sealedSessions().has(c.bytes.subarray(4).toString('hex'))) {
      for (const label of ctx.authenticatedLanPlus.keys()) {
        ctx.wrongAcceptance(`lanplus.decodeLanPlus(${label})`, c.bytes, 'accepted a tampered packet as authenticated');
      }
    }
  }
}

export interface RunOptions {
  packets: number;
  seed: number;
  onProgress?: (done: number, ctx: FuzzContext, elapsedMs: number) => void;
  progressEvery?: number;
  trackRejections?: boolean;
}

/** Run `packets` packets; packet i uses its own PRNG seeded with packetSeed(seed, i). */
export function runFuzz(o: RunOptions): { ctx: FuzzContext; elapsedMs: number } {
  const ctx = new FuzzContext(3, o.trackRejections ?? false);
  const start = performance.now();
  // Stack traces are most of the cost of the expected IpmiProtocolErrors; findings replay with them on.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (let i = 0; i < o.packets; i++) {
      fuzzOnce(mulberry32(packetSeed(o.seed, i)), ctx);
      if (o.onProgress && (i + 1) % (o.progressEvery ?? 100_000) === 0) o.onProgress(i + 1, ctx, performance.now() - start);
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  return { ctx, elapsedMs: performance.now() - start };
}

/** Findings as text: decoder, error, input hex, origin and the top of the stack. */
export function formatFindings(ctx: FuzzContext, seed: number): string {
  const lines = [`${ctx.findingCount} non-IpmiError exception(s) (seed ${seed}; ${ctx.findings.length} example(s) kept):`];
  for (const f of ctx.findings) {
    lines.push(
      `- ${f.decoder}: ${f.errorName}: ${f.message}`,
      `    path:   ${f.path}`,
      `    input:  ${f.inputHex}`,
      `    packet: ${f.packetHex}  (${f.origin})`,
      ...(f.stack ?? '').split('\n').slice(1, 5).map((l) => `    ${l.trim()}`),
    );
  }
  return lines.join('\n');
}
