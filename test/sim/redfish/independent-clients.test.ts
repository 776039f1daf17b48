/**
 * Our Redfish simulator, used unchanged by clients nobody on this project wrote: DMTF's redfishtool
 * (one process per call) and OpenStack Ironic's sushy (a Python script), both from Debian
 * packages. Over HTTPS with sessions, they must read the systems, the power state and the thermal
 * data, and switch the power.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { canonicalGuid } from '../../../lib/ipmi/guid.ts';
import { simIdentityFor } from '../../../lib/sim/ipmi/identity.ts';
import { GENERIC_RESET_TYPES, type RedfishBmc } from '../../../lib/sim/redfish/index.ts';
import { eventually, login, PASSWORD, startBmc } from './support.ts';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The tools' environment: no proxy, and no CA bundle variables, which would make Python's
 * requests verify the certificate despite verify=False (requests gives them precedence).
 */
function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ...extra };
  for (const k of ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete env[k];
  return env;
}

async function redfishtool(bmc: RedfishBmc, args: string[], auth: 'Session' | 'Basic' = 'Session'): Promise<{ code: number; out: string }> {
  const argv = ['-r', `127.0.0.1:${bmc.port}`, '-u', 'admin', '-p', PASSWORD, '-S', 'Always', '-A', auth, '-T', '10', ...args];
  try {
    const { stdout, stderr } = await run('redfishtool', argv, { timeout: 30_000, env: toolEnv() });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

async function redfishtoolJson(bmc: RedfishBmc, args: string[]): Promise<Record<string, unknown> & { [k: string]: any }> {
  const r = await redfishtool(bmc, args);
  if (r.code !== 0) throw new Error(`redfishtool ${args.join(' ')}: exit ${r.code}: ${r.out}`);
  return JSON.parse(r.out);
}

describe('redfishtool 1.1.5', () => {
  let bmc: RedfishBmc;
  beforeAll(async () => {
    bmc = await startBmc({ name: 'host-011', timings: { postMs: 300, softOffMs: 600, cycleOffMs: 200, thermalTauMs: 2_000 }, powerTimings: { poweringOnMs: 300, forceOffMs: 100 } });
  });
  afterAll(async () => {
    await bmc?.stop();
  });

  it('reads the system, with a session it ends afterwards', async () => {
    const sys = await redfishtoolJson(bmc, ['Systems', 'get']);
    const id = simIdentityFor('host-011');
    expect(sys).toMatchObject({ Id: '1', PowerState: 'On', SerialNumber: id.productSerial, UUID: canonicalGuid(id.guid) });
    expect(sys.Actions['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues']).toEqual([...GENERIC_RESET_TYPES]);
    expect(await redfishtoolJson(bmc, ['Systems', 'list'])).toMatchObject({ Members: [{ Id: '1', '@odata.id': '/redfish/v1/Systems/1' }] });
    expect(bmc.state.sessions.created).toBeGreaterThanOrEqual(2);
    expect(bmc.counters.byToken).toBeGreaterThan(0);
    expect(bmc.state.sessions.list()).toEqual([]); // each call logged out
  });

  it('reads thermal and power data', async () => {
    const thermal = await redfishtoolJson(bmc, ['Chassis', 'Thermal']);
    expect(thermal.Temperatures.map((t: { Name: string }) => t.Name)).toEqual(['CPU1 Temp', 'CPU2 Temp', 'Inlet Temp', 'System Temp']);
    for (const t of thermal.Temperatures) expect(t.ReadingCelsius).toBeGreaterThan(15);
    expect(thermal.Fans[0]).toMatchObject({ Name: 'Fan1', ReadingUnits: 'RPM' });
    const reading = await redfishtoolJson(bmc, ['Chassis', 'getPowerReading']);
    expect(reading.PowerConsumedWatts).toBeGreaterThan(100);
    const sensors = await redfishtoolJson(bmc, ['raw', 'GET', '/redfish/v1/Chassis/1/EnvironmentMetrics']);
    expect(sensors.PowerWatts.Reading).toBeGreaterThan(100);
  });

  it('switches the power: GracefulShutdown, then On, as the state shows over time', async () => {
    expect((await redfishtool(bmc, ['Systems', 'reset', 'GracefulShutdown'])).code).toBe(0);
    expect(['PoweringOff', 'Off']).toContain((await redfishtoolJson(bmc, ['Systems', 'get', '-P', 'PowerState'])).PowerState);
    await eventually(async () => (await redfishtoolJson(bmc, ['Systems', 'get', '-P', 'PowerState'])).PowerState === 'Off', 10_000, 'Off');
    expect((await redfishtool(bmc, ['Systems', 'reset', 'On'])).code).toBe(0);
    await eventually(async () => (await redfishtoolJson(bmc, ['Systems', 'get', '-P', 'PowerState'])).PowerState === 'On', 10_000, 'On');
    // A reset type the service does not list is refused by the tool itself.
    const refused = await redfishtool(bmc, ['Systems', 'reset', 'ForceOn']);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/not supported by the remote service/);
  });

  it('reads the SEL entries under the manager, power events included', async () => {
    const entries = await redfishtoolJson(bmc, ['Managers', 'Logs', '-i', 'SEL', '-E']);
    const messages = entries.Members.map((e: { Message: string }) => e.Message);
    expect(messages.some((m: string) => m.startsWith('power off'))).toBe(true);
    expect(messages.some((m: string) => m.startsWith('power on'))).toBe(true);
    expect(entries.Members[0]).toMatchObject({ EntryType: 'SEL', EntryCode: 'Assert' });
  });

  it('reads $metadata and the OData service document', async () => {
    const meta = await redfishtool(bmc, ['metadata']);
    expect(meta.code).toBe(0);
    expect(meta.out).toContain('<edmx:Edmx');
    expect((await redfishtoolJson(bmc, ['odata'])).value.length).toBeGreaterThan(3);
  });

  it('with Basic authentication, and a wrong password fails with 401', async () => {
    const before = bmc.counters.byBasic;
    const r = await redfishtool(bmc, ['Systems', 'get', '-P', 'SerialNumber'], 'Basic');
    expect(r.code).toBe(0);
    expect(bmc.counters.byBasic).toBeGreaterThan(before);
    const { stdout, stderr } = await run('redfishtool', ['-r', `127.0.0.1:${bmc.port}`, '-u', 'admin', '-p', 'wrong-pass', '-S', 'Always', '-A', 'Session', 'Systems', 'get'], { env: toolEnv() }).catch((e: { stdout: string; stderr: string }) => e);
    expect(stdout + stderr).toMatch(/401/);
  });
});

describe('redfishtool against the OpenBMC and async variants', () => {
  let bmc: RedfishBmc | undefined;
  afterEach(async () => {
    await bmc?.stop();
    bmc = undefined;
  });

  it('openbmc: the tool reads the reset types from ActionInfo and resets through them', async () => {
    bmc = await startBmc({ variant: 'openbmc' });
    expect((await redfishtool(bmc, ['Systems', 'reset', 'ForceOff'])).code).toBe(0);
    expect(bmc.host.powerOn).toBe(false);
    const refused = await redfishtool(bmc, ['Systems', 'reset', 'PushPowerButton']);
    expect(refused.out).toMatch(/via @Redfish\.ActionInfo/);
    expect((await redfishtool(bmc, ['Systems', 'reset', 'ForceOn'])).code).toBe(0);
    expect(bmc.host.powerOn).toBe(true);
  });

  it('async: the tool follows the task monitor until the shutdown is done', async () => {
    bmc = await startBmc({ asyncReset: true, timings: { postMs: 300, softOffMs: 1_500, cycleOffMs: 200, thermalTauMs: 2_000 } });
    const r = await redfishtool(bmc, ['Systems', 'reset', 'GracefulShutdown']);
    expect(r.code).toBe(0);
    // The tool returned only after the monitor stopped answering 202: the system is off by then.
    expect(bmc.power.state).toBe('Off');
    expect(bmc.state.tasks.list()).toHaveLength(1);
  });
});

interface SushyStep {
  step: string;
  [k: string]: any;
}

/** Run the sushy script; `between` runs after its first reads, before it resets the system. */
function sushy(bmc: RedfishBmc, mode: 'session' | 'fallback', between?: () => void): Promise<SushyStep[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [join(HERE, 'sushy-client.py'), bmc.url, mode], { env: toolEnv({ BMC_PASSWORD: PASSWORD }), stdio: ['pipe', 'pipe', 'pipe'] });
    const steps: SushyStep[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const s = JSON.parse(line) as SushyStep;
      steps.push(s);
      if (s.step === 'read') {
        between?.();
        child.stdin.end('go\n');
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(steps);
      else reject(new Error(`sushy-client.py ${mode}: exit ${code}: ${err.slice(-2000)}`));
    });
  });
}

describe('sushy 4.3.3', () => {
  let bmc: RedfishBmc | undefined;
  afterEach(async () => {
    await bmc?.stop();
    bmc = undefined;
  });

  it('with SessionAuth over HTTPS: reads the system, thermal and power data, shuts down and powers on', async () => {
    bmc = await startBmc({ name: 'host-021', timings: { postMs: 300, softOffMs: 500, cycleOffMs: 200, thermalTauMs: 2_000 }, powerTimings: { poweringOnMs: 300, forceOffMs: 100 } });
    const steps = await sushy(bmc, 'session');
    expect(steps.map((s) => s.step)).toEqual(['login', 'read', 'off', 'on', 'closed']);
    const [loginStep, read, off, on] = steps;
    expect(loginStep.session).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/[0-9a-f]+$/);
    expect(loginStep.redfish).toBe('1.17.0');
    const id = simIdentityFor('host-021');
    expect(read).toMatchObject({ power: 'On', serial: id.productSerial, uuid: canonicalGuid(id.guid), manufacturer: 'lowpower-sim', manager: '1' });
    expect(read.resets).toEqual([...GENERIC_RESET_TYPES].sort());
    expect(Object.keys(read.temperatures)).toEqual(['CPU1 Temp', 'CPU2 Temp', 'Inlet Temp', 'System Temp']);
    expect(read.temperatures['CPU1 Temp'][1]).toBe(95);
    expect(read.temperatures['CPU1 Temp'][0]).toBeGreaterThan(30);
    expect(read.fans.Fan1).toEqual([expect.any(Number), 'RPM']);
    expect(read.supply_watts[0]).toBeGreaterThan(100);
    // sushy saw the transition, not only its end.
    expect(off.states).toContain('Off');
    expect(off.states[0]).toBe('PoweringOff');
    expect(on.states.at(-1)).toBe('On');
    // All of it through the one session, which sushy ended.
    expect(bmc.state.sessions.created).toBe(1);
    expect(bmc.counters.byBasic).toBe(0);
    expect(bmc.counters.byToken).toBeGreaterThan(8);
    expect(bmc.state.sessions.list()).toEqual([]);
  });

  it('when the BMC forgets its sessions, sushy logs in again and carries on', async () => {
    bmc = await startBmc({ timings: { postMs: 300, softOffMs: 300, cycleOffMs: 200, thermalTauMs: 2_000 } });
    const b = bmc;
    const steps = await sushy(b, 'session', () => (b.faults = { forgetSessions: true }));
    expect(steps.map((s) => s.step)).toEqual(['login', 'read', 'off', 'on', 'closed']);
    expect(b.state.sessions.created).toBe(2);
    expect(steps[3].session).not.toBe(steps[0].session);
    expect(b.counters.unauthorized).toBe(1);
  });

  it("sushy's default SessionOrBasicAuth falls back to Basic when every session slot is taken", async () => {
    bmc = await startBmc({ sessionLimit: 1 });
    await login(bmc);
    const steps = await sushy(bmc, 'fallback');
    expect(steps).toEqual([{ step: 'read', power: 'On', serial: 'LPSIM-host-001' }]);
    expect(bmc.counters.byBasic).toBeGreaterThan(0);
  });
});
