/**
 * A lost answer never turns into a second power command: the client reads the chassis before it
 * sends again. Real ipmi_sim behind a proxy that loses chosen packets; ipmi_sim's chassis log
 * counts what the BMC executed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { PEERS, readState, startIpmiSim, type Peer } from '../support/peers.ts';
import { startUdpProxy, type UdpProxy } from '../support/udp-proxy.ts';
import { openBmc, type Bmc } from '../../lib/ipmi/client.ts';

const run = promisify(execFile);
let sim: Peer;
let proxy: UdpProxy;
let bmc: Bmc;

const executed = (what: RegExp): number => {
  let log = '';
  try {
    log = readState(sim, 'chassis.log');
  } catch {
    // no chassis command has run yet
  }
  return log.split('\n').filter((l) => what.test(l)).length;
};

/** Drop the packet `n` places ahead in one direction, counting from now. */
function dropNext(direction: 'request' | 'reply', n: number): void {
  const at = proxy.counts[direction] + n;
  proxy.setRule((d, i) => d === direction && i === at);
}

beforeAll(async () => {
  sim = await startIpmiSim();
  proxy = await startUdpProxy(sim.port);
  bmc = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 400, retries: 2 });
  await bmc.connect();
});
afterAll(async () => {
  await bmc?.close();
  await proxy?.close();
  await sim?.stop();
});

describe('power changes over a lossy link', () => {
  it('lost reply to "on": the status shows it ran, nothing is sent twice', async () => {
    const before = executed(/set power 1/);
    dropNext('reply', 1); // reply 0 answers the status read, reply 1 the Chassis Control
    const r = await bmc.power('on');
    expect(r).toMatchObject({ power: 'on', changed: true, confirmed: true });
    expect(executed(/set power 1/)).toBe(before + 1);
    expect(proxy.dropped.reply).toBe(1);
  });

  it('lost request for "off": the status shows it did not run, so it is sent again, once', async () => {
    const before = executed(/set power 0/);
    dropNext('request', 1);
    const r = await bmc.power('off');
    expect(r).toMatchObject({ power: 'off', changed: true, confirmed: true });
    expect(executed(/set power 0/)).toBe(before + 1);
    expect(proxy.dropped.request).toBe(1);
  });

  it('lost reply to "cycle": never sent twice, and the result says it is unconfirmed', async () => {
    proxy.setRule(() => false);
    // A handle whose first wait (500 ms) outlasts a status read on a busy machine: a retransmitted
    // read would add a reply and move the one dropped below off the Chassis Control's answer.
    const patient = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 1500, retries: 1 });
    try {
      await patient.power('on');
      const before = executed(/set power 0/);
      dropNext('reply', 1);
      const r = await patient.power('cycle');
      expect(r.confirmed).toBe(false);
      expect(r.message).toMatch(/not repeated/);
      expect(executed(/set power 0/)).toBe(before + 1);
    } finally {
      await patient.close();
    }
  });

  it('30% loss both ways, 40 alternating on/off: every change reaches its state, each executed once', async () => {
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    proxy.setRule(() => rand() < 0.3);
    const slow = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 1500, retries: 6 });
    const start = (await slow.power('status')).power;
    const onBefore = executed(/set power 1/);
    const offBefore = executed(/set power 0/);
    let want: 'on' | 'off' = start === 'on' ? 'off' : 'on';
    for (let i = 0; i < 40; i++) {
      const r = await slow.power(want);
      expect(r.power).toBe(want);
      want = want === 'on' ? 'off' : 'on';
    }
    proxy.setRule(() => false);
    await slow.close();
    expect(executed(/set power 1/) - onBefore).toBe(20);
    expect(executed(/set power 0/) - offBefore).toBe(20);
    expect(proxy.dropped.request + proxy.dropped.reply).toBeGreaterThan(20);
  }, 240_000); // ~70 s under the full suite, mostly retransmission timeouts: the limit is over three times that
});

describe('sessions dropped by the BMC', () => {
  it('a restarted BMC forgets the session; the next call logs in again and succeeds', async () => {
    proxy.setRule(() => false);
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3, timeoutMs: 500, retries: 1 });
    expect((await b.chassisStatus()).powerOn).toBeTypeOf('boolean');
    await run(join(PEERS, 'stop-ipmi-sim.sh'), [String(sim.port), sim.state]);
    await run(join(PEERS, 'start-ipmi-sim.sh'), [String(sim.port), sim.state], { env: { ...process.env, KEEP_STATE: '1' } });
    const st = await b.chassisStatus();
    expect(st.powerOn).toBeTypeOf('boolean');
    await b.close();
  });
});
