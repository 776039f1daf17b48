/**
 * A lossy link: 30 % of packets dropped each way, others reordered and duplicated. Power changes
 * still reach the requested state and each chassis command runs exactly once on the BMC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim } from './sim-support.ts';
import type { SimulatedBmc } from '../../../lib/sim/ipmi/server.ts';
import { openBmc } from '../../../lib/ipmi/client.ts';
import { IpmiProtocolError, IpmiTimeoutError } from '../../../lib/ipmi/errors.ts';

const sims: SimulatedBmc[] = [];

beforeAll(async () => {
  for (let i = 0; i < 4; i++) sims.push(await startSim({ name: `lossy-${i}`, seed: 1000 + i }));
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
});

describe('lossy link', () => {
  it('100 power operations over 4 BMCs reach their state, each command executed once', async () => {
    for (const s of sims) s.faults = { drop: 0.3, reorder: 0.15, duplicate: 0.15 };
    const before = sims.map((s) => ({ ...s.state.host.controlCounts }));
    const changes = await Promise.all(
      sims.map(async (s) => {
        const b = openBmc({ host: '127.0.0.1', port: s.port, username: 'admin', password: 'password', cipherSuite: 17, timeoutMs: 1500, retries: 8 });
        let want: 'on' | 'off' = 'off';
        let changed = 0;
        try {
          for (let i = 0; i < 25; i++) {
            const r = await b.power(want);
            expect(r.power).toBe(want);
            expect(s.state.host.powerOn).toBe(want === 'on');
            if (r.changed) changed++;
            want = want === 'on' ? 'off' : 'on';
          }
        } finally {
          await b.close();
        }
        return changed;
      }),
    );
    sims.forEach((s, i) => {
      const c = s.state.host.controlCounts;
      // Every operation changed the state, and the BMC executed exactly one command for each.
      expect(changes[i]).toBe(25);
      expect(c.on - before[i].on + (c.off - before[i].off)).toBe(25);
    });
    const dropped = sims.reduce((n, s) => n + s.engine.counters.packetsIn, 0);
    expect(dropped).toBeGreaterThan(0);
  }, 180_000);

  it('a lost answer to a cycle never becomes a second cycle', async () => {
    const s = sims[0];
    s.faults = { drop: 0.3, duplicate: 0.2, reorder: 0.1 };
    const b = openBmc({ host: '127.0.0.1', port: s.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 1500, retries: 8 });
    const before = s.state.host.controlCounts.cycle;
    let asked = 0;
    for (let i = 0; i < 10; i++) {
      if ((await b.power('status')).power === 'off') await b.power('on');
      await b.power('cycle');
      asked++;
      await new Promise((r) => setTimeout(r, 250));
    }
    await b.close();
    const executed = s.state.host.controlCounts.cycle - before;
    expect(executed).toBeLessThanOrEqual(asked);
    expect(executed).toBeGreaterThan(0);
  }, 120_000);
});

describe('small BMCs', () => {
  it('a BMC that answers only 16-byte SDR reads gets them: the client halves its chunk on 0xCA', async () => {
    const small = await startSim({ name: 'small', maxSdrRead: 16 });
    const b = openBmc({ host: '127.0.0.1', port: small.port, username: 'admin', password: 'password', cipherSuite: 3 });
    const sensors = await b.sensors();
    expect(sensors.map((s) => s.name)).toEqual(['CPU1 Temp', 'CPU2 Temp', 'Inlet Temp', 'System Temp', 'Fan1', 'Fan2', '12V', '3.3V']);
    await b.close();
    await small.stop();
  });
});

describe('other faults', () => {
  it('a forged integrity code is refused: the client times out rather than trust it', async () => {
    const s = sims[1];
    s.faults = {};
    const b = openBmc({ host: '127.0.0.1', port: s.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 400, retries: 1 });
    await b.connect();
    s.faults = { wrongHmac: 1 };
    await expect(b.chassisStatus()).rejects.toBeInstanceOf(IpmiTimeoutError);
    s.faults = {};
    await b.close();
    expect(IpmiProtocolError).toBeDefined();
  });

  it('a silent BMC is a timeout naming it', async () => {
    const s = sims[2];
    s.faults = { silent: true };
    const b = openBmc({ host: '127.0.0.1', port: s.port, username: 'admin', password: 'password', timeoutMs: 300, retries: 1 });
    await expect(b.power('status')).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${s.port}: no answer`));
    await b.close();
    s.faults = {};
  });

  it('busy answers (0xC0) and cancelled reservations (0xC5) do not break a sensor read', async () => {
    const s = sims[3];
    s.faults = { reservationCancel: 0.2 };
    const b = openBmc({ host: '127.0.0.1', port: s.port, username: 'admin', password: 'password', cipherSuite: 3, retries: 5 });
    const sensors = await b.sensors();
    expect(sensors).toHaveLength(8);
    s.faults = { busy: 0.3 };
    for (let i = 0; i < 10; i++) expect(typeof (await b.chassisStatus()).powerOn).toBe('boolean');
    s.faults = { busy: 1 };
    await expect(b.chassisStatus()).rejects.toThrow(/0xc0 \(node busy\)/);
    s.faults = {};
    await b.close();
  });
});
