/**
 * The command runner of a BMC handle: a login whose handshake lost a packet starts again as a
 * whole, a BMC that answers nothing gets one handshake and its deadline, a refused login is not
 * retried, busy answers are retried a bounded number of times, commands are paced. Real UDP:
 * OpenIPMI's ipmi_sim behind a proxy that loses chosen packets, and our simulator for faults
 * inside the BMC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIpmiSim, type Peer } from '../support/peers.ts';
import { startUdpProxy, type Direction, type UdpProxy } from '../support/udp-proxy.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';
import type { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';
import { openBmc } from '../../lib/ipmi/client.ts';
import { IpmiAuthError, IpmiCompletionCodeError, IpmiTimeoutError } from '../../lib/ipmi/errors.ts';

let ipmiSim: Peer;
let proxy: UdpProxy;
let sim: SimulatedBmc;

/** RMCP+ payload types (IPMI v2.0 table 13-16), at byte 5 of an RMCP+ packet. */
const OPEN_SESSION_REQUEST = 0x10;
const OPEN_SESSION_RESPONSE = 0x11;
const rmcpPlusPayload = (p: Buffer): number | undefined => (p[4] === 0x06 ? p[5] & 0x3f : undefined);
/** The console session ID of an Open Session request or response (payload bytes 4-7, after a 16-byte header). */
const consoleSessionId = (p: Buffer): number => p.readUInt32LE(20);
/** An out-of-session IPMI v1.5 request with auth type none: its command byte sits at offset 19. */
const isAuthCapabilitiesRequest = (p: Buffer): boolean => p[4] === 0x00 && p[19] === 0x38;

interface Seen {
  /** Get Channel Authentication Capabilities requests (tries included). */
  authCaps: number;
  /** Console session IDs of the Open Session requests: one per handshake that got that far. */
  handshakes: number[];
  openSessionRepliesDropped: number;
}

/** Counts what reaches the proxy from now on; `drop` decides as the proxy's rule does. */
function watch(drop: (d: Direction, p: Buffer, seen: Seen) => boolean = () => false): Seen {
  const seen: Seen = { authCaps: 0, handshakes: [], openSessionRepliesDropped: 0 };
  proxy.setRule((d, _i, p) => {
    if (d === 'request' && isAuthCapabilitiesRequest(p)) seen.authCaps++;
    if (d === 'request' && rmcpPlusPayload(p) === OPEN_SESSION_REQUEST && !seen.handshakes.includes(consoleSessionId(p))) seen.handshakes.push(consoleSessionId(p));
    const dropped = drop(d, p, seen);
    if (d === 'reply' && dropped && rmcpPlusPayload(p) === OPEN_SESSION_RESPONSE) seen.openSessionRepliesDropped++;
    return dropped;
  });
  return seen;
}

const isOpenSessionReply = (d: Direction, p: Buffer): boolean => d === 'reply' && rmcpPlusPayload(p) === OPEN_SESSION_RESPONSE;

beforeAll(async () => {
  ipmiSim = await startIpmiSim();
  proxy = await startUdpProxy(ipmiSim.port);
  sim = await startSim({ name: 'runner' });
});
afterAll(async () => {
  await proxy?.close();
  await ipmiSim?.stop();
  await sim?.stop();
});

describe('logging in over a lossy link', () => {
  it('every answer to the first Open Session lost: a whole new handshake follows and the login succeeds', async () => {
    const seen = watch((d, p, w) => isOpenSessionReply(d, p) && consoleSessionId(p) === w.handshakes[0]);
    const b = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 400, retries: 1 });
    try {
      await b.connect();
      expect(b.hasAnswered).toBe(true);
      expect(seen.openSessionRepliesDropped).toBeGreaterThanOrEqual(1);
      // The second handshake started from the top (Get Channel Authentication Capabilities), with a new session ID.
      expect(seen.handshakes).toHaveLength(2);
      expect(seen.authCaps).toBeGreaterThanOrEqual(2);
      expect(typeof (await b.chassisStatus()).powerOn).toBe('boolean');
    } finally {
      await b.close();
      proxy.setRule(() => false);
    }
  });

  it('the handshakes are bounded: with every Open Session answer lost, the login fails after retries + 1 of them', async () => {
    const seen = watch(isOpenSessionReply);
    const b = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 300, retries: 1 });
    try {
      const err = await b.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IpmiTimeoutError);
      expect((err as Error).message).toMatch(/no answer to RMCP\+ Open Session \(cipher suite 3\) after 2 tries/);
      expect(seen.handshakes).toHaveLength(2);
      expect(b.hasAnswered).toBe(false);
    } finally {
      await b.close();
      proxy.setRule(() => false);
    }
  });

  it('a BMC that answers nothing gets one handshake: the timeout comes within its deadline', async () => {
    const seen = watch((d) => d === 'request');
    const b = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 500, retries: 1 });
    const t0 = performance.now();
    try {
      await expect(b.connect()).rejects.toBeInstanceOf(IpmiTimeoutError);
      // A second handshake would have taken another whole deadline and sent two more requests.
      expect(performance.now() - t0).toBeLessThan(900);
      expect(seen.authCaps).toBe(2);
      expect(seen.handshakes).toHaveLength(0);
    } finally {
      await b.close();
      proxy.setRule(() => false);
    }
  });

  it('a refused login is an answer, not a lost packet: no second handshake', async () => {
    const seen = watch();
    const b = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'not-the-password', cipherSuite: 3, timeoutMs: 400, retries: 2 });
    try {
      await expect(b.connect()).rejects.toBeInstanceOf(IpmiAuthError);
      expect(seen.handshakes).toHaveLength(1);
    } finally {
      await b.close();
    }
  });
});

describe('commands', () => {
  it('a BMC that stays busy (0xC0) is asked retries + 1 times, then the busy answer is the error', async () => {
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3, retries: 2 });
    try {
      await b.connect();
      sim.faults = { busy: 1 };
      const before = sim.engine.counters.packetsIn;
      const err = await b.chassisStatus().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IpmiCompletionCodeError);
      expect((err as IpmiCompletionCodeError).code).toBe(0xc0);
      expect(sim.engine.counters.packetsIn - before).toBe(3);
    } finally {
      sim.faults = {};
      await b.close();
    }
  });

  it('commands to one BMC keep the pacing gap, also when issued all at once', async () => {
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3, minGapMs: 60 });
    try {
      await b.connect();
      const t0 = performance.now();
      const answers = await Promise.all(Array.from({ length: 5 }, () => b.chassisStatus()));
      expect(answers).toHaveLength(5);
      // Five commands, four gaps (the first may go at once).
      expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * 60 - 5);
    } finally {
      await b.close();
    }
  });

  it('a closed handle refuses commands, and closing twice is harmless', async () => {
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3 });
    await b.connect();
    await Promise.all([b.close(), b.close()]);
    await expect(b.chassisStatus()).rejects.toThrow(/BMC handle is closed/);
  });
});
