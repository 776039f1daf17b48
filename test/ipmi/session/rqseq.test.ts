/**
 * Request sequence numbers: a busy session wraps the 6-bit counter in well under five seconds,
 * and a BMC takes a request with a number and contents it saw within five seconds for a retry
 * (answered from cache, not run). The client must never give a new request such a number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RqSeq, RQSEQ_REUSE_MS, requestKey } from '../../../lib/ipmi/session/session.ts';
import { openBmc } from '../../../lib/ipmi/client.ts';
import { startSim } from '../../sim/ipmi/sim-support.ts';
import type { SimulatedBmc } from '../../../lib/sim/ipmi/server.ts';

describe('RqSeq', () => {
  it('never reuses a number for the same request within five seconds, even after wrapping', () => {
    const seq = new RqSeq();
    const off = requestKey(0x00, 0x02, Uint8Array.of(0));
    const t0 = 1_000_000;
    const num = (r: { seq: number } | { retryInMs: number }): number => ('seq' in r ? r.seq : -1);
    const first = num(seq.reserve(off, t0));
    for (let i = 0; i < 63; i++) seq.reserve(`status-${i}`, t0 + i);
    const second = num(seq.reserve(off, t0 + 100));
    expect(second).toBeGreaterThanOrEqual(0);
    expect(second).not.toBe(first);
    // After five seconds the number is free again.
    const later = new RqSeq();
    const a = num(later.reserve(off, t0));
    for (let i = 0; i < 63; i++) later.reserve(`other-${i}`, t0);
    expect(num(later.reserve(off, t0 + RQSEQ_REUSE_MS))).toBe(a);
  });

  it('64 identical requests in the window use every number once; the 65th waits for the oldest', () => {
    const seq = new RqSeq();
    const read = requestKey(0x00, 0x01, new Uint8Array());
    const values = Array.from({ length: 64 }, (_, i) => seq.reserve(read, 1000 + i));
    expect(new Set(values.map((v) => ('seq' in v ? v.seq : -1))).size).toBe(64);
    expect(seq.reserve(read, 2000)).toEqual({ retryInMs: 1000 + RQSEQ_REUSE_MS - 2000 });
    expect('seq' in seq.reserve(read, 1000 + RQSEQ_REUSE_MS)).toBe(true);
  });
});

describe('against our simulator (which answers retries from cache)', () => {
  let sim: SimulatedBmc;
  beforeAll(async () => {
    sim = await startSim({ name: 'rqseq' });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('power changes between bursts of sensor reads (the counter wraps many times) all run; nothing is taken for a retry', async () => {
    const bmc = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 17 });
    try {
      const before = { ...sim.state.host.controlCounts };
      let want: 'on' | 'off' = sim.state.host.powerOn ? 'off' : 'on';
      for (let round = 0; round < 6; round++) {
        await bmc.power(want);
        // About 80 requests of a dozen kinds per round: the 6-bit counter wraps every round.
        for (let i = 0; i < 6; i++) await bmc.sensors();
        expect((await bmc.power('status')).power).toBe(want);
        want = want === 'on' ? 'off' : 'on';
      }
      const c = sim.state.host.controlCounts;
      expect(c.on - before.on + (c.off - before.off)).toBe(6);
      expect(sim.engine.counters.duplicatesAnswered).toBe(0);
    } finally {
      await bmc.close();
    }
  });
});
