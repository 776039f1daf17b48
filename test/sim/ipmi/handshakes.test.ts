/**
 * The simulated BMC's two session handshakes, driven packet by packet through its engine with no
 * socket and a clock moved by hand: RMCP+ (Open Session, RAKP 1-4) and IPMI v1.5 (Get Session
 * Challenge, Activate Session). The console side is built here from lowpower's codec and key maths.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BmcEngine } from '../../../lib/sim/ipmi/engine.ts';
import { AuthType, decodeLan15, encodeLan15 } from '../../../lib/ipmi/codec/lan15.ts';
import { decodeLanPlus, encodeLanPlus, PayloadType, type SessionCrypto } from '../../../lib/ipmi/codec/lanplus.ts';
import { decodeResponse, encodeRequest, NetFn } from '../../../lib/ipmi/codec/ipmi-message.ts';
import { decodeOpenSessionResponse, decodeRakp2, decodeRakp4, encodeOpenSessionRequest, encodeRakp1, encodeRakp3 } from '../../../lib/ipmi/codec/rakp.ts';
import { CIPHER_SUITES, type CipherSuite } from '../../../lib/ipmi/crypto/cipher-suites.ts';
import { deriveKeys, rakp2AuthCode, rakp3AuthCode, rakp4CheckValue, sessionIntegrityKey, type RakpExchange } from '../../../lib/ipmi/crypto/rakp-keys.ts';
import { activateSession, getSessionChallenge } from '../../../lib/ipmi/commands/session-v15.ts';
import { getDeviceId } from '../../../lib/ipmi/commands/get-device-id.ts';
import { simState } from './dispatch-support.ts';

const FROM = '127.0.0.1:40000';
const PASSWORD = Buffer.from('password');

function bmc(slots = 4): { engine: BmcEngine; clock: { t: number; now(): number } } {
  const clock = { t: 1_000_000, now: () => clock.t };
  return { engine: new BmcEngine(simState({}, clock), slots), clock };
}

function only(packets: Buffer[]): Buffer {
  expect(packets).toHaveLength(1);
  return packets[0];
}

/** The console's side of RMCP+, one message at a time. */
class Console {
  readonly consoleId = randomBytes(4).readUInt32LE(0) || 1;
  readonly consoleRandom = randomBytes(16);
  bmcId = 0;
  x?: RakpExchange;

  constructor(
    private readonly engine: BmcEngine,
    readonly suite: CipherSuite = CIPHER_SUITES[3],
    readonly user = 'admin',
    readonly password = PASSWORD,
  ) {}

  openPacket(): Buffer {
    const { auth, integrity, confidentiality } = this.suite;
    return encodeLanPlus({ payloadType: PayloadType.openSessionRequest, sessionId: 0, sequence: 0, payload: encodeOpenSessionRequest({ tag: 1, privilege: 4, consoleSessionId: this.consoleId, algorithms: { auth, integrity, confidentiality } }) });
  }

  open(): ReturnType<typeof decodeOpenSessionResponse> {
    const r = decodeOpenSessionResponse(decodeLanPlus(only(this.engine.handle(this.openPacket(), FROM))).payload);
    this.bmcId = r.bmcSessionId;
    return r;
  }

  rakp1Packet(): Buffer {
    return encodeLanPlus({ payloadType: PayloadType.rakp1, sessionId: 0, sequence: 0, payload: encodeRakp1({ tag: 2, bmcSessionId: this.bmcId, consoleRandom: this.consoleRandom, role: 4, username: Buffer.from(this.user) }) });
  }

  rakp1(): ReturnType<typeof decodeRakp2> {
    const r = decodeRakp2(decodeLanPlus(only(this.engine.handle(this.rakp1Packet(), FROM))).payload);
    if (r.status === 0) {
      this.x = { consoleSessionId: this.consoleId, bmcSessionId: this.bmcId, consoleRandom: this.consoleRandom, bmcRandom: r.bmcRandom, bmcGuid: r.bmcGuid, role: 4, username: Buffer.from(this.user) };
    }
    return r;
  }

  rakp3Packet(): Buffer {
    const authCode = rakp3AuthCode(this.suite, this.password, this.x as RakpExchange);
    return encodeLanPlus({ payloadType: PayloadType.rakp3, sessionId: 0, sequence: 0, payload: encodeRakp3({ tag: 3, status: 0, bmcSessionId: this.bmcId, authCode }) });
  }

  /** RAKP 3 and 4; the session's keys when RAKP 4 proves the BMC derived the same. */
  rakp3(): { status: number; crypto?: SessionCrypto } {
    const packets = this.engine.handle(this.rakp3Packet(), FROM);
    if (!packets.length) return { status: -1 };
    const r = decodeRakp4(decodeLanPlus(only(packets)).payload);
    if (r.status !== 0) return { status: r.status };
    const x = this.x as RakpExchange;
    const sik = sessionIntegrityKey(this.suite, this.password, x);
    expect(r.integrityCheck.equals(rakp4CheckValue(this.suite, sik, x))).toBe(true);
    const keys = deriveKeys(this.suite, sik);
    return { status: 0, crypto: { suite: this.suite, k1: keys.k1, k2: keys.k2 } };
  }

  /** Get Device ID inside the session: its completion code. */
  deviceId(crypto: SessionCrypto, sequence: number): number {
    const req = encodeRequest({ netFn: getDeviceId.netFn, cmd: getDeviceId.cmd, data: Buffer.alloc(0), rqSeq: sequence });
    const reply = only(this.engine.handle(encodeLanPlus({ payloadType: PayloadType.ipmi, sessionId: this.bmcId, sequence, payload: req }, crypto), FROM));
    return decodeResponse(decodeLanPlus(reply, crypto).payload).completionCode;
  }
}

describe('RMCP+ handshake', () => {
  it.each([3, 17])('suite %i: Open Session, RAKP 1-4 give keys both ends share; a command then runs in the session', (id) => {
    const { engine } = bmc();
    const c = new Console(engine, CIPHER_SUITES[id]);
    const open = c.open();
    expect(open.status).toBe(0);
    expect(open.consoleSessionId).toBe(c.consoleId);
    const r2 = c.rakp1();
    expect(r2.status).toBe(0);
    expect(r2.authCode.equals(rakp2AuthCode(c.suite, PASSWORD, c.x as RakpExchange))).toBe(true);
    const r4 = c.rakp3();
    expect(r4.status).toBe(0);
    expect(engine.activeSessions).toBe(1);
    expect(c.deviceId(r4.crypto as SessionCrypto, 1)).toBe(0);
  });

  it('a retransmitted Open Session or RAKP 1 gets the answer already sent, and takes no second slot', () => {
    const { engine } = bmc();
    const c = new Console(engine);
    const first = only(engine.handle(c.openPacket(), FROM));
    expect(only(engine.handle(c.openPacket(), FROM)).equals(first)).toBe(true);
    expect(engine.usedSlots).toBe(1);
    c.bmcId = decodeOpenSessionResponse(decodeLanPlus(first).payload).bmcSessionId;
    const rakp2 = only(engine.handle(c.rakp1Packet(), FROM));
    expect(only(engine.handle(c.rakp1Packet(), FROM)).equals(rakp2)).toBe(true);
    expect(engine.usedSlots).toBe(1);
  });

  it('an unknown user gets RAKP 2 status 0x0D and frees the slot', () => {
    const { engine } = bmc();
    const c = new Console(engine, CIPHER_SUITES[3], 'nobody');
    c.open();
    expect(c.rakp1().status).toBe(0x0d);
    expect(engine.usedSlots).toBe(0);
    expect(engine.counters.authFailures).toBe(1);
  });

  it('a wrong password gets RAKP 4 status 0x0F, frees the slot, and the session never opens', () => {
    const { engine } = bmc();
    const c = new Console(engine, CIPHER_SUITES[3], 'admin', Buffer.from('wrong'));
    c.open();
    expect(c.rakp1().status).toBe(0);
    expect(c.rakp3().status).toBe(0x0f);
    expect(engine.usedSlots).toBe(0);
    expect(engine.activeSessions).toBe(0);
    expect(engine.counters.authFailures).toBe(1);
  });

  it('a full BMC refuses Open Session with status 0x01; a handshake left half-done frees its slot after 3 s', () => {
    const { engine, clock } = bmc(2);
    new Console(engine).open();
    new Console(engine).open();
    expect(new Console(engine).open().status).toBe(0x01);
    expect(engine.counters.sessionsRefused).toBe(1);
    clock.t += 3_001;
    expect(engine.usedSlots).toBe(0);
    expect(new Console(engine).open().status).toBe(0);
  });

  it('cipher suite 0 (no authentication) and algorithms of no offered suite are refused without taking a slot', () => {
    const { engine } = bmc();
    expect(new Console(engine, CIPHER_SUITES[0]).open().status).toBe(0x04);
    const mixed = { ...CIPHER_SUITES[3], integrity: CIPHER_SUITES[17].integrity };
    expect(new Console(engine, mixed).open().status).toBe(0x11);
    expect(engine.usedSlots).toBe(0);
    expect(new Console(engine).open().status).toBe(0);
  });
});

describe('IPMI v1.5 handshake', () => {
  const outside = (netFn: number, cmd: number, data: Buffer): Buffer =>
    encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: encodeRequest({ netFn, cmd, data, rqSeq: 1 }) });

  function challenge(engine: BmcEngine, user = 'admin', authType: number = AuthType.md5): { cc: number; id: number; challenge: Buffer } {
    const packet = outside(getSessionChallenge.netFn, getSessionChallenge.cmd, getSessionChallenge.encode({ authType, username: Buffer.from(user) }));
    const r = decodeResponse(decodeLan15(only(engine.handle(packet, FROM))).message);
    if (r.completionCode !== 0) return { cc: r.completionCode, id: 0, challenge: Buffer.alloc(0) };
    const c = getSessionChallenge.decode(r.data);
    return { cc: 0, id: c.temporarySessionId, challenge: c.challenge };
  }

  function activatePacket(id: number, ch: Buffer, password = PASSWORD): Buffer {
    const data = activateSession.encode({ authType: AuthType.md5, privilege: 4, challenge: ch, initialOutboundSequence: 7 });
    return encodeLan15({ authType: AuthType.md5, sequence: 0, sessionId: id, message: encodeRequest({ netFn: NetFn.app, cmd: activateSession.cmd, data, rqSeq: 2 }), password });
  }

  it('Get Session Challenge then Activate Session open a session at the asked privilege', () => {
    const { engine } = bmc();
    const ch = challenge(engine);
    expect(ch.cc).toBe(0);
    const reply = decodeLan15(only(engine.handle(activatePacket(ch.id, ch.challenge), FROM)));
    const r = decodeResponse(reply.message);
    expect(r.completionCode).toBe(0);
    const session = activateSession.decode(r.data);
    expect(session.maxPrivilege).toBe(4);
    expect(session.sessionId).not.toBe(ch.id);
    expect(engine.activeSessions).toBe(1);
  });

  it('a challenge is refused for another authentication type (0xCC) and for an unknown user (0x81)', () => {
    const { engine } = bmc();
    expect(challenge(engine, 'admin', AuthType.password).cc).toBe(0xcc);
    expect(challenge(engine, 'nobody').cc).toBe(0x81);
  });

  it('Activate Session under a wrong password gets silence, counts a failure, and opens nothing', () => {
    const { engine } = bmc();
    const ch = challenge(engine);
    expect(engine.handle(activatePacket(ch.id, ch.challenge, Buffer.from('wrong')), FROM)).toEqual([]);
    expect(engine.counters.authFailures).toBe(1);
    expect(engine.activeSessions).toBe(0);
  });

  it('a full BMC answers Activate Session with 0x81', () => {
    const { engine } = bmc(1);
    const a = challenge(engine);
    const b = challenge(engine);
    expect(decodeResponse(decodeLan15(only(engine.handle(activatePacket(a.id, a.challenge), FROM))).message).completionCode).toBe(0);
    expect(decodeResponse(decodeLan15(only(engine.handle(activatePacket(b.id, b.challenge), FROM))).message).completionCode).toBe(0x81);
    expect(engine.counters.sessionsRefused).toBe(1);
  });
});
