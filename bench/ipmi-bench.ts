/**
 * `npm run bench`: lowpower's IPMI client against ipmitool and FreeIPMI, all talking to the same
 * ipmi_sim in the same run. Prints medians and ratios. A benchmark, not a test: nothing asserts.
 *
 *   node bin/run-ts.mjs bench/ipmi-bench.ts [--runs N]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openBmc } from '../lib/ipmi/client.ts';
import { clearSdrCache } from '../lib/ipmi/sdr/read-repository.ts';
import { PEERS, startIpmiSim } from '../test/support/peers.ts';

const run = promisify(execFile);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function time(n: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up, not counted
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(0)} us` : `${ms.toFixed(2)} ms`);

async function main(): Promise<void> {
  const sim = await startIpmiSim();
  const port = String(sim.port);
  const opts = { host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3 };
  const ipmitool = (...args: string[]) => run('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', port, '-U', 'admin', '-P', 'password', ...args]);
  const free = ['-h', `127.0.0.1:${port}`, '-u', 'admin', '-p', 'password', '-D', 'LAN_2_0', '-W', 'opensesspriv'];
  try {
    const warm = openBmc(opts);
    await warm.connect();
    // One session may send the same request at most 64 times in five seconds (the request
    // sequence number must not carry it twice in that window): warm runs stay within that.
    const WARM = Math.min(RUNS * 10, 60);
    const ourWarm = await time(WARM, () => warm.chassisStatus());
    const ourWarmId = await time(WARM, () => warm.deviceId());
    const ourTemps = await time(Math.min(RUNS * 5, 60), () => warm.sensors({ type: 'temperature' }));
    const ourTempsCold = await time(RUNS, async () => {
      clearSdrCache();
      const b = openBmc(opts);
      await b.sensors({ type: 'temperature' });
      await b.close();
    });
    await warm.close();
    const ourCold = await time(RUNS * 2, async () => {
      const b = openBmc(opts);
      await b.chassisStatus();
      await b.close();
    });
    const toolStatus = await time(RUNS, () => ipmitool('chassis', 'power', 'status'));
    const toolId = await time(RUNS, () => ipmitool('mc', 'info'));
    // ipmi_sim answers Get Chassis Status by running its chassis-control shell helper: that
    // fork is in every chassis status answer, ours and ipmitool's alike.
    const helper = await time(RUNS, () => run('/bin/sh', [`${PEERS}/ipmi_sim/chassis-control.sh`, sim.state, 'get', 'power']));
    const toolTemps = await time(RUNS, () => ipmitool('sdr', 'type', 'Temperature'));
    const freeStatus = await time(RUNS, () => run('ipmipower', [...free, '--stat']));
    const freeTemps = await time(RUNS, () => run('ipmi-sensors', [...free, '--sensor-types=Temperature']));

    const rows: Array<[string, number, string]> = [
      ['lowpower: warm chassis status (session reused)', ourWarm, `ipmitool ${(toolStatus / ourWarm).toFixed(0)}x slower, FreeIPMI ${(freeStatus / ourWarm).toFixed(0)}x`],
      ['lowpower: warm Get Device ID (no helper on the BMC side)', ourWarmId, `ipmitool mc info ${(toolId / ourWarmId).toFixed(0)}x slower`],
      ['lowpower: cold (new session + chassis status + close)', ourCold, `ipmitool ${(toolStatus / ourCold).toFixed(1)}x slower, FreeIPMI ${(freeStatus / ourCold).toFixed(1)}x`],
      ['lowpower: all temperatures, warm (SDR cached)', ourTemps, `ipmitool ${(toolTemps / ourTemps).toFixed(0)}x slower, FreeIPMI ${(freeTemps / ourTemps).toFixed(0)}x`],
      ['lowpower: all temperatures, cold (login + SDR read)', ourTempsCold, `ipmitool ${(toolTemps / ourTempsCold).toFixed(1)}x slower, FreeIPMI ${(freeTemps / ourTempsCold).toFixed(1)}x`],
      ['ipmitool -I lanplus -C 3 chassis power status', toolStatus, ''],
      ['ipmitool -I lanplus -C 3 sdr type Temperature', toolTemps, ''],
      ['ipmitool -I lanplus -C 3 mc info', toolId, ''],
      ["ipmi_sim's chassis helper alone (in every status answer)", helper, ''],
      ['FreeIPMI ipmipower --stat', freeStatus, ''],
      ['FreeIPMI ipmi-sensors --sensor-types=Temperature', freeTemps, ''],
    ];
    console.log(`IPMI benchmark against ipmi_sim on 127.0.0.1:${port} (medians; ${RUNS} runs per external tool)`);
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [name, ms, ratio] of rows) console.log(`${name.padEnd(w)}  ${fmt(ms).padStart(10)}  ${ratio}`);
    console.log(`goal: warm >= 50x faster than an ipmitool call: ${(toolStatus / ourWarm).toFixed(0)}x for chassis status ` +
      `(ipmi_sim spends about ${helper.toFixed(1)} ms of each status answer in its helper), ${(toolId / ourWarmId).toFixed(0)}x for Get Device ID; ` +
      `cold >= 5x: ${(toolStatus / ourCold).toFixed(1)}x`);
  } finally {
    await sim.stop();
  }
}

await main();
