/**
 * Replay refusal: a captured, valid request sent again byte for byte is dropped by the simulator,
 * and the chassis command in it does not run a second time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim } from './sim-support.ts';
import { startUdpProxy, type UdpProxy } from '../../support/udp-proxy.ts';
import type { SimulatedBmc } from '../../../lib/sim/ipmi/server.ts';
import { openBmc } from '../../../lib/ipmi/client.ts';

let sim: SimulatedBmc;
let proxy: UdpProxy;

beforeAll(async () => {
  sim = await startSim();
  proxy = await startUdpProxy(sim.port);
});
afterAll(async () => {
  await proxy?.close();
  await sim?.stop();
});

describe('replays', () => {
  it.each([17, 3] as const)('a replayed Chassis Control (suite %s) is refused and runs once', async (suite) => {
    const b = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'password', cipherSuite: suite });
    await b.power('on');
    await b.chassisStatus();
    const before = proxy.requests.length;
    await b.power('off'); // status read, Chassis Control, status read
    const control = before + 1;
    const offs = sim.state.host.controlCounts.off;
    const refused = sim.engine.counters.replaysRefused;
    const replies = proxy.counts.reply;
    proxy.replay(control);
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.engine.counters.replaysRefused).toBe(refused + 1);
    expect(sim.state.host.controlCounts.off).toBe(offs);
    expect(proxy.counts.reply).toBe(replies);
    // The session still works after the refused replay.
    expect((await b.chassisStatus()).powerOn).toBe(false);
    await b.close();
  });

  it('a packet with a forged integrity code changes nothing', async () => {
    const b = openBmc({ host: '127.0.0.1', port: proxy.port, username: 'admin', password: 'password', cipherSuite: 3 });
    await b.power('on');
    const before = proxy.requests.length;
    await b.power('off');
    const forged = Buffer.from(proxy.requests[before + 1]);
    forged[forged.length - 1] ^= 0x01;
    proxy.requests.push(forged);
    const dropped = sim.engine.counters.packetsDropped;
    await b.power('on');
    const offs = sim.state.host.controlCounts.off;
    proxy.replay(proxy.requests.indexOf(forged));
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.engine.counters.packetsDropped).toBe(dropped + 1);
    expect(sim.state.host.controlCounts.off).toBe(offs);
    expect(sim.state.host.powerOn).toBe(true);
    await b.close();
  });
});
