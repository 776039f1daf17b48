/** Starting our simulated BMC in tests, on a free loopback port. */
import { freePort } from '../../support/peers.ts';
import { SimulatedBmc, type SimulatedBmcOptions } from '../../../lib/sim/ipmi/server.ts';
import { FAST_TIMINGS } from '../../../lib/sim/ipmi/host-model.ts';

export async function startSim(o: Partial<SimulatedBmcOptions> = {}): Promise<SimulatedBmc> {
  for (let attempt = 0; ; attempt++) {
    const bmc = new SimulatedBmc({ name: 'sim-1', port: await freePort(), adminPassword: 'password', host: { timings: FAST_TIMINGS }, ...o });
    try {
      await bmc.start();
      return bmc;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}
