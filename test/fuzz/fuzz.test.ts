import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FuzzContext, feedAll, feedCase, formatFindings, fuzzOnce, mulberry32, packetSeed, roundTrip, runFuzz, sameValue } from './fuzz-targets.ts';
import { COMMAND_MODULES, COMMANDS, CRYPTO, lanPlusWithIv, PASSWORD, REPLY_SAMPLES, REQUEST_SAMPLES, sealLanPlus, seeds } from './fuzz-seeds.ts';
import { decodeLan15, verifyLan15 } from '../../lib/ipmi/codec/lan15.ts';
import { decodeLanPlus, encodeLanPlus, PayloadType } from '../../lib/ipmi/codec/lanplus.ts';
import { IpmiInsecureError, IpmiProtocolError } from '../../lib/ipmi/errors.ts';

/** FUZZ_SEED=<n> runs the big test with another seed; the default keeps CI deterministic. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : 0x1badb002;
const PACKETS = 100_000;

describe('fuzz harness', () => {
  it('covers every command module and every command in it', () => {
    const dir = fileURLToPath(new URL('../../lib/ipmi/commands/', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'command.ts');
    expect(Object.keys(COMMAND_MODULES).sort()).toEqual(files.sort());
    expect(COMMANDS.length).toBeGreaterThanOrEqual(36);
    for (const c of COMMANDS) expect(REPLY_SAMPLES[c.name], `reply sample for ${c.name}`).toBeDefined();
  });

  it('every command has its BMC side, and a request sample for it', () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) {
      expect(typeof c.decodeRequest, `${c.name}.decodeRequest`).toBe('function');
      expect(typeof c.encodeResponse, `${c.name}.encodeResponse`).toBe('function');
      expect(REQUEST_SAMPLES[c.name], `request sample for ${c.name}`).toBeDefined();
    }
    expect(Object.keys(REQUEST_SAMPLES).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it('sameValue is deep equality where an undefined key differs from a missing one', () => {
    expect(sameValue({ a: 1, b: [1, { c: Buffer.from([1]) }] }, { b: [1, { c: Buffer.from([1]) }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue({ a: Buffer.from([1]) }, { a: Buffer.from([2]) })).toBe(false);
    expect(sameValue(Buffer.from([1]), new Uint8Array([1]))).toBe(false);
    expect(sameValue([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameValue(null, undefined)).toBe(false);
    expect(sameValue(NaN, NaN)).toBe(true);
    expect(sameValue(undefined, undefined)).toBe(true);
  });

  it('the round-trip oracle flags an encoder that loses or refuses a decoded value', () => {
    const ctx = new FuzzContext();
    ctx.begin(Buffer.from([0x81]), 'test');
    const decode = (b: Buffer) => ({ flag: (b[0] & 0x80) !== 0, low: b[0] & 0x0f });
    roundTrip(ctx, 'good', Buffer.from([0x81]), decode(Buffer.from([0x81])), (v) => Buffer.from([(v.flag ? 0x80 : 0) | v.low]), decode);
    expect(ctx.findingCount).toBe(0);
    roundTrip(ctx, 'lossy', Buffer.from([0x81]), decode(Buffer.from([0x81])), (v) => Buffer.from([v.low]), decode);
    roundTrip(ctx, 'throws', Buffer.from([0x81]), decode(Buffer.from([0x81])), () => { throw new IpmiProtocolError('no wire form'); }, decode);
    expect(ctx.findings.map((f) => [f.decoder, f.errorName])).toEqual([['roundtrip.lossy', 'RoundTripMismatch'], ['roundtrip.throws', 'RoundTripError']]);
    expect(ctx.findings[0].message).toMatch(/decoded \{"flag":true,"low":1\}, encoded and decoded again \{"flag":false,"low":1\}/);
    expect(ctx.findings[1].message).toMatch(/IpmiProtocolError: no wire form/);
  });

  it('mulberry32 is deterministic and spread over [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(new Set(xs).size).toBe(1000);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
    expect(packetSeed(1, 0)).not.toBe(packetSeed(1, 1));
  });

  it('replays a packet from its seed', () => {
    const one = fuzzOnce(mulberry32(packetSeed(SEED, 17)), new FuzzContext());
    const two = fuzzOnce(mulberry32(packetSeed(SEED, 17)), new FuzzContext());
    expect(two.bytes).toEqual(one.bytes);
    expect(two.origin).toBe(one.origin);
  });

  it('counts IpmiProtocolError as a refusal, other IpmiErrors apart, and anything else as a finding', () => {
    const ctx = new FuzzContext();
    ctx.begin(Buffer.from([1, 2, 3]), 'test');
    expect(ctx.probe('ok', Buffer.from([1]), (b) => b[0])).toBe(1);
    expect(ctx.probe('refuses', Buffer.from([1]), () => { throw new IpmiProtocolError('no'); })).toBeUndefined();
    ctx.probe('insecure', Buffer.from([1]), () => { throw new IpmiInsecureError('no'); });
    ctx.probe('range', Buffer.from([0xab, 0xcd]), (b) => b.readUInt32LE(0));
    ctx.probe('type', Buffer.from([0x01]), () => (null as unknown as { x: number }).x);
    ctx.probe('string', Buffer.from([0x02]), () => { throw 'a string'; });
    expect(ctx.stats.get('ok')).toEqual({ ok: 1, rejected: 0, otherIpmiError: 0, findings: 0 });
    expect(ctx.stats.get('refuses')).toEqual({ ok: 0, rejected: 1, otherIpmiError: 0, findings: 0 });
    expect(ctx.stats.get('insecure')).toEqual({ ok: 0, rejected: 0, otherIpmiError: 1, findings: 0 });
    expect(ctx.findingCount).toBe(3);
    expect(ctx.findings.map((f) => [f.decoder, f.errorName, f.inputHex, f.packetHex])).toEqual([
      ['range', 'RangeError', 'abcd', '010203'],
      ['type', 'TypeError', '01', '010203'],
      ['string', 'Error', '02', '010203'],
    ]);
    expect(ctx.findings[0].stack).toMatch(/RangeError/);
    expect(formatFindings(ctx, 5)).toMatch(/3 non-IpmiError exception\(s\) \(seed 5;[\s\S]*- range: RangeError[\s\S]*input:  abcd/);
  });

  it('sealLanPlus frames packets exactly as encodeLanPlus does', () => {
    const p = { payloadType: PayloadType.ipmi, sessionId: 0x01020304, sequence: 9, payload: Buffer.from('0123456789abcdefXYZ') };
    for (const crypto of [CRYPTO.suite3, CRYPTO.suite17]) {
      const real = encodeLanPlus(p, crypto);
      const iv = real.subarray(16, 32); // RMCP 4 + session header 12, then the IV
      expect(lanPlusWithIv(p, crypto, iv)).toEqual(real);
      expect(decodeLanPlus(real, crypto).payload).toEqual(p.payload);
    }
    expect(lanPlusWithIv(p, undefined, Buffer.alloc(16))).toEqual(encodeLanPlus(p));
  });

  it('flags an RMCP+ packet accepted as authenticated that is no sealed seed', () => {
    const seed = seeds().find((s) => s.name === 'lanplus-suite3-device-id-response')!;
    // The seed itself, and the seed under another RMCP header (not covered by the AuthCode): fine.
    const ctx = new FuzzContext();
    feedCase(ctx, { origin: 'seed', bytes: seed.bytes, seed });
    const otherHeader = Buffer.from(seed.bytes);
    otherHeader[2] = 0x00;
    feedCase(ctx, { origin: 'header', bytes: otherHeader, seed });
    expect(ctx.findingCount).toBe(0);
    expect(ctx.authenticatedLanPlus.has('suite3')).toBe(true);
    // A packet sealed with the session keys but not by a reseal mutation stands for a forgery.
    const forged = sealLanPlus({ payloadType: 0, sessionId: 0x12345678, sequence: 6, body: seed.bytes.subarray(16, 64), encrypted: true, authenticated: true }, CRYPTO.suite3);
    feedCase(ctx, { origin: 'forged', bytes: forged, seed });
    expect(ctx.findings.map((f) => [f.decoder, f.errorName])).toEqual([['lanplus.decodeLanPlus(suite3)', 'WrongAcceptance']]);
  });
});

describe('seeds: valid packets built with the encoders', () => {
  for (const seed of seeds()) {
    it(`${seed.name} decodes with ${seed.mustDecode.join(', ')}`, () => {
      const ctx = new FuzzContext();
      ctx.begin(seed.bytes, seed.name);
      feedAll(ctx, seed.bytes);
      expect(formatFindings(ctx, 0), 'no decoder may throw anything but an IpmiError').toBe(formatFindings(new FuzzContext(), 0));
      for (const name of seed.mustDecode) expect(ctx.lastOk, `${name} decodes ${seed.name}`).toContain(name);
    });
  }

  it('the IPMI v1.5 seeds carry a valid AuthCode', () => {
    for (const name of ['lan15-md5', 'lan15-password', 'lan15-none']) {
      const seed = seeds().find((s) => s.name === name)!;
      expect(verifyLan15(decodeLan15(seed.bytes), PASSWORD), name).toBe(true);
    }
  });

  it('the sealed RMCP+ seeds are authenticated and encrypted', () => {
    const sealed = seeds().filter((s) => s.lanplus?.crypto);
    expect(sealed.length).toBe(10);
    for (const s of sealed) {
      const p = decodeLanPlus(s.bytes, s.lanplus!.crypto);
      expect(p.authenticated && p.encrypted, s.name).toBe(true);
      expect(p.payload).toEqual(s.lanplus!.plain);
    }
  });
});

describe(`fuzzing ${PACKETS.toLocaleString('en')} packets through every decoder (seed ${SEED})`, () => {
  it('finds no exception other than IpmiError, and refuses most mutated packets', { timeout: 180_000 }, () => {
    const { ctx, elapsedMs } = runFuzz({ packets: PACKETS, seed: SEED, trackRejections: true });
    console.log(`fuzz: ${PACKETS} packets through ${ctx.stats.size} decoders in ${(elapsedMs / 1000).toFixed(1)} s (seed ${SEED})`);

    // The finding list names the decoder, the error and the input bytes.
    expect(ctx.findingCount, formatFindings(ctx, SEED)).toBe(0);
    expect(ctx.packets).toBe(PACKETS);

    // Not vacuous: every decoder decoded something, and every decoder that can refuse did.
    const neverRefused: string[] = [];
    for (const [name, s] of ctx.stats) {
      expect(s.ok, `${name} never returned (seed ${SEED})`).toBeGreaterThan(0);
      if (s.rejected === 0) neverRefused.push(name);
    }
    // Commands without reply data, Get User Name (reads what it gets) and sensorValue (no input check).
    const lenient = ['cmd.Chassis Control', 'cmd.Chassis Identify', 'cmd.Set System Boot Options', 'cmd.Set LAN Configuration Parameters', 'cmd.Close Session', 'cmd.Set Channel Access', 'cmd.Set User Access', 'cmd.Set User Name', 'cmd.Set User Password', 'cmd.Get User Name', 'sdr.sensorValue'];
    for (const name of neverRefused) expect(lenient, `${name} refused nothing (seed ${SEED})`).toContain(name);
    // 39 reply decoders and 39 request decoders (with the FRU commands and Set Power Restore
    // Policy), 5 DCMI parameter decoders, and the rest of the codec.
    expect(ctx.stats.size).toBe(109);

    // Mutated valid packets: most are refused with IpmiProtocolError by the seed's own decoder.
    const refusedShare = ctx.mutatedRejected / ctx.mutated;
    expect(ctx.mutated).toBeGreaterThan(PACKETS * 0.7);
    expect(refusedShare, `share of mutated packets refused (seed ${SEED})`).toBeGreaterThan(0.4);

    // Deep checks were reached: integrity, decryption and the inner decoders behind them.
    const reached = (re: RegExp) => [...ctx.rejections.keys()].some((k) => re.test(k));
    for (const suite of ['suite3', 'suite17']) {
      expect(reached(new RegExp(`decodeLanPlus\\(${suite}\\): RMCP\\+: integrity check failed`)), suite).toBe(true);
      expect(reached(new RegExp(`decodeLanPlus\\(${suite}\\): RMCP\\+: integrity pad length is wrong`)), suite).toBe(true);
      expect(reached(new RegExp(`decodeLanPlus\\(${suite}\\): AES-CBC-N: confidentiality pad is malformed`)), suite).toBe(true);
      expect(reached(new RegExp(`decodeLanPlus\\(${suite}\\): AES-CBC-N: pad length N is invalid`)), suite).toBe(true);
      expect(reached(new RegExp(`decodeLanPlus\\(${suite}\\): AES-CBC-N: encrypted payload of N bytes is not IV plus whole blocks`)), suite).toBe(true);
    }
    expect(reached(/ipmi\.decodeResponse: IPMI response: data checksum mismatch/)).toBe(true);
    expect(reached(/cmd\.Get Device ID: Get Device ID: truncated/)).toBe(true);
    expect(reached(/sdr\.decodeSdr: full SDR N: truncated/)).toBe(true);
    expect(reached(/sel\.decodeSelRecord: SEL record: truncated/)).toBe(true);
    expect(reached(/cmd\.parseCipherSuiteRecords: cipher suite record: truncated OEM IANA/)).toBe(true);
    // The BMC side's request checks, on their own and inside IPMI messages.
    expect(reached(/req\.Clear SEL: Clear SEL request: bytes N-N are not "CLR"/)).toBe(true);
    expect(reached(/req\.Set User Password: Set User Password request: N data bytes, expected N$/)).toBe(true);
    expect(reached(/req\.DCMI Get Power Reading: DCMI Get Power Reading request: group extension Nx\w+ is not NxDC/)).toBe(true);
    expect([...ctx.stats.entries()].filter(([n]) => n.startsWith('req.')).every(([, st]) => st.ok > 0 && st.rejected > 0)).toBe(true);
  });
});
