/**
 * `lowpower bmc VERB --protocol redfish`: against our Redfish simulator over HTTPS (a power round
 * trip, the certificate shown then pinned, the same --json shapes as over IPMI), and against
 * DMTF's Redfish Mockup Server over loopback HTTP, where every read verb gives the mockup's values.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBmcCommand } from '../../lib/cli/bmc-command.ts';
import { startRedfishBmc, type RedfishBmc } from '../../lib/sim/redfish/index.ts';
import { capture } from './capture.ts';
import { describeWithMockup, RACKMOUNT1, startRedfishMockup, type Mockup } from '../support/redfish-mockup.ts';
import { readFileSync } from 'node:fs';

/** A resource of DMTF's mockup, as its file has it. */
const readMockup = (path: string) => JSON.parse(readFileSync(join(RACKMOUNT1, path, 'index.json'), 'utf8')) as { Reading: number };

const dir = mkdtempSync(join(tmpdir(), 'lowpower-cli-redfish-'));
const pwFile = join(dir, 'pw');
writeFileSync(pwFile, 'cli-rf-password\n', { mode: 0o600 });
const mockupPw = join(dir, 'mockup-pw');
writeFileSync(mockupPw, 'password\n', { mode: 0o600 });

const json = async (args: string[]) => {
  const r = await capture(() => runBmcCommand([...args, '--json']));
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as unknown;
};

describe('lowpower bmc --protocol redfish, against our simulator over HTTPS', () => {
  let bmc: RedfishBmc;
  let base: string[];
  beforeAll(async () => {
    bmc = await startRedfishBmc({ name: 'cli-rf', password: 'cli-rf-password', host: { initiallyOn: true } });
    base = ['--protocol', 'redfish', '-H', `https://127.0.0.1:${bmc.port}`, '-U', 'admin', '-f', pwFile];
  });
  afterAll(async () => bmc.stop());

  it('power status shows the certificate once (stderr); pinned with --fingerprint it is quiet, and another pin is refused before any request', async () => {
    const first = await capture(() => runBmcCommand(['power', 'status', ...base]));
    expect(first.out).toBe('Chassis Power is on\n');
    expect(first.err).toContain(`presented certificate SHA-256 ${bmc.fingerprint256}`);
    const pinned = await capture(() => runBmcCommand(['power', 'status', ...base, '--fingerprint', bmc.fingerprint256 as string]));
    expect(pinned).toMatchObject({ code: 0, out: 'Chassis Power is on\n', err: '' });
    const before = bmc.counters.requests;
    const wrong = await capture(() => runBmcCommand(['power', 'status', ...base, '--fingerprint', 'AB'.repeat(32)]));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(bmc.fingerprint256 as string);
    expect(bmc.counters.requests).toBe(before);
  });

  it('a power round trip with the JSON shapes of the IPMI side', async () => {
    expect(await json(['power', 'status', ...base])).toEqual({ power: 'on' });
    const off = (await json(['power', 'off', ...base])) as Record<string, unknown>;
    expect(Object.keys(off).sort()).toEqual(['changed', 'confirmed', 'message', 'power']);
    expect(off).toMatchObject({ power: 'off', changed: true, confirmed: true });
    expect(await json(['power', 'off', ...base])).toMatchObject({ power: 'off', changed: false });
    expect(await json(['power', 'on', ...base])).toMatchObject({ power: 'on', changed: true, confirmed: true });
    expect(bmc.host.controlCounts).toMatchObject({ off: 1, on: 1 });
  });

  it('identity, sensors by type, the event log and the watts', async () => {
    expect(await json(['identity', ...base])).toMatchObject({ productSerial: 'LPSIM-cli-rf' });
    const temps = (await json(['sensors', ...base, '--type', 'temperature'])) as Array<{ type: string; unit: string; value: number }>;
    expect(temps.length).toBeGreaterThan(0);
    expect(temps.every((t) => t.type === 'temperature' && t.unit === 'degrees C' && typeof t.value === 'number')).toBe(true);
    const sel = (await json(['sel', 'list', ...base])) as Array<{ description: string }>;
    expect(sel.some((e) => /power off/i.test(e.description))).toBe(true);
    expect(((await json(['dcmi', 'power', ...base])) as { watts: number }).watts).toBeGreaterThan(0);
  });

  it('a wrong password and an IPMI-only verb are one clear line each', async () => {
    const wrongPw = join(dir, 'wrong');
    writeFileSync(wrongPw, 'nope\n', { mode: 0o600 });
    const bad = await capture(() => runBmcCommand(['power', 'status', '--protocol', 'redfish', '-H', `https://127.0.0.1:${bmc.port}`, '-U', 'admin', '-f', wrongPw]));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/login as 'admin' refused \(HTTP 401/);
    expect(bad.err).not.toContain('nope');
    const lan = await capture(() => runBmcCommand(['lan', 'print', ...base]));
    expect(lan.code).toBe(1);
    expect(lan.err).toContain('"lan" is not a Redfish verb here');
  });
});

describeWithMockup("lowpower bmc --protocol redfish, against DMTF's mockup server (public-rackmount1)", () => {
  let mockup: Mockup;
  let base: string[];
  beforeAll(async () => {
    mockup = await startRedfishMockup();
    base = ['--protocol', 'redfish', '-H', `http://127.0.0.1:${mockup.port}`, '-U', 'root', '-f', mockupPw];
  }, 30_000);
  afterAll(async () => mockup?.stop());

  it("every read verb gives the mockup's values", async () => {
    expect(await json(['power', 'status', ...base])).toEqual({ power: 'on' });
    expect(await json(['identity', ...base])).toMatchObject({ productSerial: '437XR1138R2' });
    const sensors = (await json(['sensors', ...base])) as Array<{ name: string; type: string; value: number | null }>;
    const byName = (re: RegExp) => sensors.find((s) => re.test(s.name));
    expect(byName(/CPU1/)?.type).toBe('temperature');
    // The Sensors collection's reading (the older Thermal resource rounds it to 25).
    expect(byName(/Intake/i)?.value).toBe(readMockup('Chassis/1U/Sensors/IntakeTemp').Reading);
    expect(sensors.some((s) => s.type === 'fan')).toBe(true);
    expect(((await json(['dcmi', 'power', ...base])) as { watts: number }).watts).toBe(344);
    const sel = (await json(['sel', 'list', ...base])) as unknown[];
    expect(sel.length).toBeGreaterThan(0);
  });

  it('plain http is refused to anything but loopback', async () => {
    const r = await capture(() => runBmcCommand(['power', 'status', '--protocol', 'redfish', '-H', 'http://192.0.2.10:8000', '-U', 'root', '-f', mockupPw]));
    expect(r.code).toBe(1);
    expect(r.err).toContain('plain http is allowed only to a loopback address');
  });
});
