/**
 * `npm run bench`, Redfish: lowpower's Redfish client against redfishtool 1.1.5 (DMTF's CLI, a
 * Python process per call, as an operator's script runs it), both talking HTTPS to our simulated
 * BMCs in the same run. Per BMC: warm power status, a full sensor read, and cold. Then a 1,000-BMC
 * mixed fleet (`lowpower sim --protocol mixed`, its own process) swept by sweepFleet, against
 * redfishtool over a sample of the Redfish half, extrapolated. Medians, p90, ratios; nothing asserts.
 *
 *   node bin/run-ts.mjs bench/redfish-bench.ts [--runs N] [--count N] [--sample N] [--concurrency N]
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readInventory, sweepFleet, type FleetHost, type SweepResult } from '../lib/fleet/index.ts';
import { openRedfish, RedfishHosts, type RedfishBmcOptions } from '../lib/redfish/index.ts';
import { startRedfishBmc } from '../lib/sim/redfish/index.ts';
import { mapBounded } from '../lib/util/bounded.ts';
import { REPO } from '../test/support/peers.ts';

const run = promisify(execFile);
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 20);
const COUNT = arg('--count', 1000);
const SAMPLE = arg('--sample', 50);
const CONCURRENCY = arg('--concurrency', 64);
/** redfishtool processes at once: 16 already keep both cores busy with Python start-up. */
const TOOL_CONCURRENCY = 16;

// python-requests lets these variables override verify=False on this machine: redfishtool must not see them.
const toolEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'REQUESTS_CA_BUNDLE' && k !== 'CURL_CA_BUNDLE'));

/** One redfishtool call over HTTPS (it never verifies certificates), credentials from a 0600 file. */
async function redfishtool(rhost: string, config: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('redfishtool', ['-r', rhost, '-c', config, '-S', 'Always', ...args], { env: toolEnv, maxBuffer: 4 << 20 });
  return stdout;
}

function powerStateFrom(stdout: string): string {
  const state = (JSON.parse(stdout) as { PowerState?: unknown }).PowerState;
  if (typeof state !== 'string') throw new Error(`redfishtool gave no PowerState: ${stdout.slice(0, 200)}`);
  return state;
}

interface Stats {
  median: number;
  p90: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, p90: s[Math.max(0, Math.ceil(s.length * 0.9) - 1)] };
}

async function time(n: number, fn: () => Promise<unknown>): Promise<Stats> {
  await fn(); // warm-up, not counted
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return stats(xs);
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(0)} us` : ms < 1000 ? `${ms.toFixed(2)} ms` : `${(ms / 1000).toFixed(2)} s`);
const ratio = (tool: Stats, ours: Stats): string => `${(tool.median / ours.median).toFixed(tool.median / ours.median >= 10 ? 0 : 1)}x`;

function table(rows: Array<[string, Stats | number, string]>): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [name, v, note] of rows) {
    const cell = typeof v === 'number' ? fmt(v).padStart(10) + ''.padStart(16) : `${fmt(v.median).padStart(10)}  p90 ${fmt(v.p90).padStart(10)}`;
    console.log(`${name.padEnd(w)}  ${cell}  ${note}`);
  }
}

/** Requests the simulated BMC received during one call of `fn`. */
async function requestsOf(counter: () => number, fn: () => Promise<unknown>): Promise<number> {
  const before = counter();
  await fn();
  return counter() - before;
}

/** Entries of the arrays redfishtool printed (Temperatures, Fans, Voltages...). */
function entriesIn(stdout: string, keys: string[]): string {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  return keys.map((k) => `${Array.isArray(doc[k]) ? doc[k].length : 0} ${k}`).join(', ');
}

async function perBmc(dir: string): Promise<void> {
  const password = randomBytes(12).toString('base64url');
  const config = join(dir, 'redfishtool-one.json');
  writeFileSync(config, JSON.stringify({ user: 'admin', password }), { mode: 0o600 });
  const sim = await startRedfishBmc({ name: 'bench-rf', password, host: { initiallyOn: true } });
  const rhost = `127.0.0.1:${sim.port}`;
  const opts: RedfishBmcOptions = { host: '127.0.0.1', port: sim.port, username: 'admin', password, tls: { fingerprint: sim.fingerprint256 } };
  const seen = (): number => sim.counters.requests;
  const tool = (...a: string[]): Promise<string> => redfishtool(rhost, config, ...a);
  try {
    const warm = openRedfish(opts);
    await warm.powerState(); // login and discovery happen here, once
    const WARM = Math.max(RUNS * 10, 50);
    const ourPower = await time(WARM, () => warm.powerState());
    const ourSensors = await time(WARM, () => warm.sensors());
    const sensors = await warm.sensors();
    const kinds = [...new Set(sensors.map((s) => s.type))].map((t) => `${sensors.filter((s) => s.type === t).length} ${t}`).join(', ');
    const reqWarmPower = await requestsOf(seen, () => warm.powerState());
    const reqWarmSensors = await requestsOf(seen, () => warm.sensors());
    await warm.close();
    const coldPower = async (): Promise<void> => {
      const b = openRedfish(opts);
      await b.powerState();
      await b.close();
    };
    const coldSensors = async (): Promise<void> => {
      const b = openRedfish(opts);
      await b.sensors();
      await b.close();
    };
    const ourColdPower = await time(RUNS * 2, coldPower);
    const ourColdSensors = await time(RUNS * 2, coldSensors);
    const reqColdPower = await requestsOf(seen, coldPower);
    const reqColdSensors = await requestsOf(seen, coldSensors);
    // What sweepFleet does per Redfish BMC (new handle; power, temperatures, watts; logout), on a one-entry inventory.
    const entry: FleetHost = { name: 'bench-rf', host: '127.0.0.1', port: sim.port, user: 'admin', passwordFile: config, protocol: 'redfish', url: sim.url, fingerprint256: sim.fingerprint256, password };
    const sweepOne = async (): Promise<void> => {
      const r = await sweepFleet([entry], { concurrency: 1 });
      if (r.failed) throw new Error(`sweep of one Redfish BMC failed: ${r.hosts[0].ok ? '' : r.hosts[0].error}`);
    };
    const ourSweepOne = await time(RUNS * 2, sweepOne);
    const reqSweepOne = await requestsOf(seen, sweepOne);

    const systemsGet = ['Systems', '-1', 'get', '-P', 'PowerState'];
    const rawGet = ['raw', 'GET', '/redfish/v1/Systems/1'];
    if (powerStateFrom(await tool(...systemsGet)) !== 'On' || powerStateFrom(await tool(...rawGet)) !== 'On') throw new Error('the simulated BMC is not On');
    const toolPower = await time(RUNS, () => tool(...systemsGet));
    const toolPowerSession = await time(RUNS, () => tool('-A', 'Session', ...systemsGet));
    const toolRaw = await time(RUNS, () => tool(...rawGet));
    const thermalPower = async (): Promise<void> => {
      await tool('Chassis', '-1', 'Thermal');
      await tool('Chassis', '-1', 'Power');
    };
    const toolSensors = await time(RUNS, thermalPower);
    const toolRead = `Thermal: ${entriesIn(await tool('Chassis', '-1', 'Thermal'), ['Temperatures', 'Fans'])}; Power: ${entriesIn(await tool('Chassis', '-1', 'Power'), ['PowerControl', 'Voltages', 'PowerSupplies'])}`;
    const reqToolPower = await requestsOf(seen, () => tool(...systemsGet));
    const reqToolSession = await requestsOf(seen, () => tool('-A', 'Session', ...systemsGet));
    const reqToolRaw = await requestsOf(seen, () => tool(...rawGet));
    const reqToolSensors = await requestsOf(seen, thermalPower);

    const sweepTool = toolPower.median + toolSensors.median;
    console.log(`\nRedfish, one simulated BMC over HTTPS on ${rhost} (in the bench process; its work is in both sides' figures)`);
    console.log(`lowpower: ${WARM} warm calls, ${RUNS * 2} cold; redfishtool: ${RUNS} calls, a process each, Basic auth unless said; median and p90`);
    table([
      [`lowpower warm power status (kept session + connection; ${reqWarmPower} GET)`, ourPower, `redfishtool Systems get ${ratio(toolPower, ourPower)} slower, raw GET ${ratio(toolRaw, ourPower)}`],
      [`lowpower warm full sensor read (${reqWarmSensors} GETs)`, ourSensors, `redfishtool Thermal + Power ${ratio(toolSensors, ourSensors)} slower`],
      [`lowpower cold power status (TLS + login + discovery + read + logout; ${reqColdPower} requests)`, ourColdPower, `redfishtool Systems get ${ratio(toolPower, ourColdPower)} slower, raw GET ${ratio(toolRaw, ourColdPower)}`],
      [`lowpower cold full sensor read (${reqColdSensors} requests)`, ourColdSensors, `redfishtool Thermal + Power ${ratio(toolSensors, ourColdSensors)} slower`],
      [`lowpower sweep of this one BMC (power, temperatures, watts; new handle; ${reqSweepOne} requests)`, ourSweepOne, `redfishtool's three calls ${(sweepTool / ourSweepOne.median).toFixed(0)}x slower (sum of their medians: ${fmt(sweepTool)})`],
      [`redfishtool Systems -1 get -P PowerState (${reqToolPower} requests)`, toolPower, ''],
      [`redfishtool -A Session Systems -1 get -P PowerState (${reqToolSession} requests)`, toolPowerSession, ''],
      [`redfishtool raw GET /redfish/v1/Systems/1 (${reqToolRaw} request${reqToolRaw === 1 ? '' : 's'})`, toolRaw, 'path known in advance: the narrowest call'],
      [`redfishtool Chassis -1 Thermal, then Chassis -1 Power (${reqToolSensors} requests)`, toolSensors, ''],
    ]);
    console.log(`what each sensor read gives: lowpower sensors() -> ${sensors.length} sensors (${kinds}), from the chassis, its Sensors collection, Thermal and Power, deduplicated`);
    console.log(`                             redfishtool -> the two resources printed as JSON (${toolRead}), nothing merged`);
  } finally {
    await sim.stop();
  }
}

interface Sim {
  pid: number;
  inventory: string;
  passwordFile: string;
  startMs: number;
  stop: () => Promise<void>;
}

/** `lowpower sim --protocol mixed` in its own process, so the BMCs have their own event loop (and core). */
async function startSim(count: number, dir: string): Promise<Sim> {
  // Below the ephemeral range (32768+), where our own outgoing connections take their ports.
  const base = 21000 + Math.floor(Math.random() * (32768 - 21000 - count));
  const inventory = join(dir, 'fleet.json');
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(REPO, 'bin/lowpower.mjs'), 'sim', '--count', String(count), '--protocol', 'mixed', '--base-port', String(base), '--inventory', inventory], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ctrl-C')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lowpower sim exited with ${code}`)));
  });
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited;
  };
  return { pid: child.pid ?? 0, inventory, passwordFile: join(dir, 'fleet.password'), startMs: performance.now() - t0, stop };
}

/** Peak open descriptors of this process and the simulator's, sampled every 100 ms, per phase. */
function watchDescriptors(simPid: number): { phase: (name: string) => void; stop: () => string } {
  const count = (pid: number | 'self'): number => {
    try {
      return readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return 0;
    }
  };
  const done: string[] = [];
  let name = 'idle';
  let peak = { ours: count('self'), sim: count(simPid) };
  const timer = setInterval(() => {
    peak.ours = Math.max(peak.ours, count('self'));
    peak.sim = Math.max(peak.sim, count(simPid));
  }, 100);
  const close = (): void => {
    done.push(`${name} ${peak.ours}/${peak.sim}`);
  };
  return {
    phase: (next) => {
      close();
      name = next;
      peak = { ours: count('self'), sim: count(simPid) };
    },
    stop: () => (clearInterval(timer), close(), done.join(', ')),
  };
}

const peakRssMb = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** What sweepFleet reads of a Redfish BMC, by redfishtool: power state, temperatures, watts. */
async function redfishtoolHost(h: FleetHost, config: string): Promise<void> {
  const rhost = `${h.host}:${h.port}`;
  powerStateFrom(await redfishtool(rhost, config, 'Systems', '-1', 'get', '-P', 'PowerState'));
  await redfishtool(rhost, config, 'Chassis', '-1', 'Thermal');
  await redfishtool(rhost, config, 'Chassis', '-1', 'Power');
}

async function fleet(dir: string): Promise<void> {
  const limit = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
  // The simulator holds a socket per BMC, and at the kept handles' close two connections per Redfish BMC (kept + logout).
  const need = 2 * COUNT + 4 * CONCURRENCY + 64;
  if (limit < need) throw new Error(`ulimit -n is ${limit}: the fleet bench needs about ${need} descriptors; raise it (ulimit -n 4096)`);
  const sim = await startSim(COUNT, dir);
  try {
    const hosts = readInventory(sim.inventory);
    const redfish = hosts.filter((h) => h.protocol === 'redfish');
    const watch = watchDescriptors(sim.pid);
    const sweep = async (list: readonly FleetHost[]): Promise<{ r: SweepResult; ms: number }> => {
      const t0 = performance.now();
      const r = await sweepFleet(list, { concurrency: CONCURRENCY, cipherSuite: 3 });
      return { r, ms: performance.now() - t0 };
    };
    watch.phase('sweeps');
    const cold = await sweep(hosts);
    const started = await sweep(hosts);
    const half = await sweep(redfish);
    watch.phase('kept handles');

    // Kept handles, one per Redfish BMC, as the scheduler's RedfishHosts keeps them.
    const kept = new RedfishHosts();
    const handle = (h: FleetHost) => kept.get({ host: h.host, port: h.port, username: h.user, password: h.password, tls: { fingerprint: h.fingerprint256 } });
    let t0 = performance.now();
    await mapBounded(redfish, CONCURRENCY, (h) => handle(h).powerState());
    const openMs = performance.now() - t0;
    t0 = performance.now();
    const states = await mapBounded(redfish, CONCURRENCY, (h) => handle(h).powerState());
    const warmPowerMs = performance.now() - t0;
    t0 = performance.now();
    const reads = await mapBounded(redfish, CONCURRENCY, (h) => handle(h).sensors());
    const warmSensorsMs = performance.now() - t0;
    // RedfishHosts.close() logs every handle out at once: each DELETE on a connection of its own.
    watch.phase('closing them');
    t0 = performance.now();
    await kept.close();
    const closeMs = performance.now() - t0;
    watch.phase('redfishtool');

    const config = join(dir, 'redfishtool-fleet.json');
    writeFileSync(config, JSON.stringify({ user: 'admin', password: readFileSync(sim.passwordFile, 'utf8').split('\n')[0] }), { mode: 0o600 });
    const sample = redfish.slice(0, SAMPLE);
    t0 = performance.now();
    await mapBounded(sample, TOOL_CONCURRENCY, (h) => redfishtoolHost(h, config));
    const toolPerHost = (performance.now() - t0) / sample.length;
    const toolHalf = toolPerHost * redfish.length;
    const peaks = watch.stop();
    const simRss = peakRssMb(sim.pid);

    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    const okOf = (r: SweepResult): string => `${r.ok} ok, ${r.failed} failed`;
    console.log(`\nRedfish in a mixed fleet: ${COUNT} simulated BMCs (${hosts.length - redfish.length} IPMI over UDP, ${redfish.length} Redfish over HTTPS) in one child process (started in ${s(sim.startMs)})`);
    console.log(`sweepFleet reads power, all temperatures and watts per BMC, ${CONCURRENCY} at a time, a new handle per BMC (Redfish: TLS + login + discovery + reads + logout)`);
    console.log(`lowpower sweepFleet, ${COUNT} mixed, cold (first contact):      ${s(cold.ms)}  (${okOf(cold.r)})`);
    console.log(`lowpower sweepFleet, ${COUNT} mixed, everything started:       ${s(started.ms)}  (${okOf(started.r)})`);
    console.log(`lowpower sweepFleet, the ${redfish.length} Redfish BMCs alone:          ${s(half.ms)}  (${okOf(half.r)})`);
    console.log(`lowpower kept handles, ${redfish.length} Redfish: open + first status ${s(openMs)}; warm power status ${s(warmPowerMs)} (${states.filter((x) => x.power === 'on').length} on); warm full sensor read ${s(warmSensorsMs)} (${reads.reduce((n, r) => n + r.length, 0)} sensors); close all ${s(closeMs)}`);
    console.log(
      `redfishtool, ${sample.length} Redfish BMCs ${TOOL_CONCURRENCY} at a time (Systems get + Chassis Thermal + Chassis Power, a process each): ${toolPerHost.toFixed(0)} ms per BMC (wall time / BMCs)` +
        ` -> EXTRAPOLATED to ${redfish.length}: ${s(toolHalf)} (${(toolHalf / half.ms).toFixed(0)}x lowpower's sweep of the same ${redfish.length}, measured; ${(toolHalf / cold.ms).toFixed(0)}x its cold sweep of all ${COUNT})`,
    );
    console.log(`peak descriptors, bench/simulator (ulimit -n ${limit}): ${peaks}; peak memory: bench ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, simulator ${simRss.toFixed(0)} MB`);
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lowpower-redfish-bench-'));
  const t0 = performance.now();
  console.log(`Redfish benchmark: lowpower vs redfishtool against our simulator; load average at start ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} cores`);
  try {
    await perBmc(dir);
    await fleet(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`redfish bench took ${((performance.now() - t0) / 1000).toFixed(0)} s; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
}

await main();
