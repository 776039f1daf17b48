/**
 * Acceptance against OpenIPMI's ipmi_sim over real UDP: our client and CLI, checked by ipmitool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ipmitool, readState, secretFile, startIpmiSim, writeSensor, type Peer } from '../support/peers.ts';
import { openBmc } from '../../lib/ipmi/client.ts';
import { IpmiAuthError, IpmiNotSupportedError, IpmiTimeoutError } from '../../lib/ipmi/errors.ts';
import { guidMatches } from '../../lib/ipmi/guid.ts';

let sim: Peer;
let pw: string;
const base = (): string[] => ['-H', '127.0.0.1', '-p', String(sim.port), '-U', 'admin', '-f', pw];
const bmc = (cmd: string[], extra: string[] = []) => cli(['bmc', ...cmd, ...base(), ...extra]);
const json = async (cmd: string[], extra: string[] = []): Promise<unknown> => {
  const r = await bmc(cmd, ['--json', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};
const peerPower = async (): Promise<string> => (await ipmitool(sim.port, ['chassis', 'power', 'status'])).trim();

beforeAll(async () => {
  sim = await startIpmiSim();
  pw = secretFile('password');
});
afterAll(async () => {
  await sim?.stop();
});

describe('power verbs against ipmi_sim, read back by ipmitool', () => {
  it('on, status, off, soft, cycle and reset change the peer as ipmitool sees it', async () => {
    expect(await peerPower()).toBe('Chassis Power is off');
    expect(await json(['power', 'status'])).toEqual({ power: 'off' });

    expect(await json(['power', 'on'])).toMatchObject({ power: 'on', changed: true });
    expect(await peerPower()).toBe('Chassis Power is on');
    expect(readState(sim, 'power').trim()).toBe('1');

    // Idempotent: asking for the state the host is in succeeds and sends no control command.
    const logBefore = readState(sim, 'chassis.log').split('\n').filter((l) => / set /.test(l)).length;
    const again = await bmc(['power', 'on']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already on');
    expect(readState(sim, 'chassis.log').split('\n').filter((l) => / set /.test(l)).length).toBe(logBefore);

    const cycle = await bmc(['power', 'cycle']);
    expect(cycle.code, cycle.stderr).toBe(0);
    expect(readState(sim, 'chassis.log')).toMatch(/set power 0/);
    // ipmi_sim's cycle leaves the chassis off (it has no power-on delay): start it again.
    if ((await peerPower()) === 'Chassis Power is off') await json(['power', 'on']);

    const reset = await bmc(['power', 'reset']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(readState(sim, 'chassis.log')).toMatch(/set reset 1/);

    expect(await json(['power', 'off'])).toMatchObject({ power: 'off', changed: true });
    expect(await peerPower()).toBe('Chassis Power is off');
    const off2 = await bmc(['power', 'off']);
    expect(off2.stdout).toContain('already off');

    await json(['power', 'on']);
    expect(await json(['power', 'soft'])).toMatchObject({ changed: true });
    expect(readState(sim, 'chassis.log')).toMatch(/set shutdown 1/);
    expect(await peerPower()).toBe('Chassis Power is off');
  });

  it('refuses to cycle a host that is off, and changes nothing', async () => {
    expect(await peerPower()).toBe('Chassis Power is off');
    const r = await bmc(['power', 'cycle']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/chassis is off; cycle refused/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await peerPower()).toBe('Chassis Power is off');
  });
});

describe('chassis, mc, identify, bootdev', () => {
  it('chassis status and mc info match the peer', async () => {
    const st = (await json(['chassis', 'status'])) as { powerOn: boolean };
    expect(st.powerOn).toBe(false);
    const mc = (await json(['mc', 'info'])) as Record<string, unknown>;
    const tool = await ipmitool(sim.port, ['mc', 'info']);
    expect(tool).toMatch(new RegExp(`Manufacturer ID\\s+: ${mc.manufacturerId}\\b`));
    expect(tool).toMatch(/Firmware Revision\s+: 2\.17/);
    expect(mc).toMatchObject({ deviceId: 32, firmwareMajor: 2, firmwareMinor: 17, ipmiVersion: '2.0', productId: 0x0623 });
    const text = await bmc(['mc', 'info']);
    expect(text.stdout).toMatch(/Firmware Revision\s+: 2\.17/);
  });

  it('identify and bootdev reach the chassis', async () => {
    expect((await bmc(['identify', '5'])).code).toBe(0);
    expect((await bmc(['bootdev', 'pxe'])).code).toBe(0);
    const bad = await bmc(['bootdev', 'floppy-disk']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/usage: lowpower bmc bootdev pxe\|disk\|bios/);
  });
});

describe('sensors', () => {
  const parseIpmitool = (out: string): Map<string, number> =>
    new Map(
      out
        .trim()
        .split('\n')
        .map((l) => l.split('|').map((c) => c.trim()))
        .map((c) => [c[0], parseFloat(c[4])] as [string, number]),
    );

  it('the five temperatures equal ipmitool sdr type Temperature, including 0.5-degree, offset and signed sensors', async () => {
    writeSensor(sim, 3, 49); // 24.5 C
    writeSensor(sim, 5, 250); // -6 C in two's complement
    writeSensor(sim, 4, 70); // 30 C with B = -40
    await new Promise((r) => setTimeout(r, 1600)); // ipmi_sim polls the files every second
    const tool = parseIpmitool(await ipmitool(sim.port, ['sdr', 'type', 'Temperature']));
    const ours = (await json(['sensors', '--type', 'temperature'])) as Array<{ name: string; value: number; unit: string; status: string }>;
    expect(ours).toHaveLength(5);
    expect(tool.size).toBe(5);
    for (const s of ours) {
      expect(s.value, s.name).toBe(tool.get(s.name));
      expect(s.unit).toBe('degrees C');
    }
    expect(ours.find((s) => s.name === 'Inlet Temp')?.value).toBe(24.5);
    expect(ours.find((s) => s.name === 'PSU1 Temp')).toMatchObject({ value: -6, status: 'ok' });
    expect(ours.find((s) => s.name === 'System Temp')?.value).toBe(30);
  });

  it('computes threshold status client-side', async () => {
    writeSensor(sim, 1, 0x60); // 96 C: above UCR 95, below UNR 105
    await new Promise((r) => setTimeout(r, 1600));
    const ours = (await json(['sensors', '--type', 'temperature'])) as Array<{ name: string; status: string }>;
    expect(ours.find((s) => s.name === 'CPU1 Temp')?.status).toBe('ucr');
    writeSensor(sim, 1, 45);
    await new Promise((r) => setTimeout(r, 1600));
  });

  it('an unknown sensor type is a clear usage error', async () => {
    const r = await bmc(['sensors', '--type', 'flux-capacitor']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sensor type "flux-capacitor" is unknown/);
  });

  it('5 concurrent sensor reads of one BMC all succeed (one handle and five handles)', async () => {
    const one = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3 });
    const handles = Array.from({ length: 5 }, () => openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3 }));
    try {
      const shared = await Promise.all(Array.from({ length: 5 }, () => one.sensors({ type: 'temperature' })));
      const separate = await Promise.all(handles.map((h) => h.sensors({ type: 'temperature' })));
      for (const list of [...shared, ...separate]) {
        expect(list.map((s) => s.name)).toEqual(['CPU1 Temp', 'CPU2 Temp', 'Inlet Temp', 'System Temp', 'PSU1 Temp']);
        expect(list.map((s) => s.value)).toEqual(shared[0].map((s) => s.value));
      }
    } finally {
      await Promise.all([one.close(), ...handles.map((h) => h.close())]);
    }
    // And five separate processes, which cannot share a cache and cancel each other's reservations.
    const runs = await Promise.all(Array.from({ length: 5 }, () => bmc(['sensors', '--type', 'temperature'], ['--json'])));
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toHaveLength(5);
    }
  });
});

describe('sel, dcmi', () => {
  it('sel list decodes both preloaded events', async () => {
    // Threshold crossings caused by the sensor tests add more events after the two preloaded ones.
    const events = (await json(['sel', 'list'])) as Array<Record<string, unknown>>;
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatchObject({ sensorType: 'temperature', sensorNumber: 1, description: 'Upper Non-critical going high', direction: 'assertion' });
    expect(events[1]).toMatchObject({ sensorType: 'temperature', sensorNumber: 1, description: 'Upper Non-critical going high', direction: 'deassertion' });
    const text = await bmc(['sel', 'list']);
    expect(text.stdout).toMatch(/temperature #0x01 \| Upper Non-critical going high\s*\| Asserted/);
    const entries = Number((await ipmitool(sim.port, ['sel', 'info'])).match(/Entries\s+: (\d+)/)?.[1]);
    expect(events).toHaveLength(entries);
  });

  it('dcmi power on a BMC without DCMI says so in one line', async () => {
    const r = await bmc(['dcmi', 'power']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/DCMI Get Power Reading is not supported by this BMC/);
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3 });
    await expect(b.powerReading()).rejects.toBeInstanceOf(IpmiNotSupportedError);
    await b.close();
  });
});

describe('LAN configuration and setup', () => {
  it('lan set values read back with ipmitool lan print', async () => {
    for (const [what, value] of [
      ['ipaddr', '192.0.2.77'],
      ['netmask', '255.255.254.0'],
      ['defgw', '192.0.2.254'],
      ['ipsrc', 'static'],
    ]) {
      const r = await bmc(['lan', 'set', '1', what, value]);
      expect(r.code, r.stderr).toBe(0);
    }
    const tool = await ipmitool(sim.port, ['lan', 'print', '1']);
    expect(tool).toMatch(/IP Address\s+: 192\.0\.2\.77/);
    expect(tool).toMatch(/Subnet Mask\s+: 255\.255\.254\.0/);
    expect(tool).toMatch(/Default Gateway IP\s+: 192\.0\.2\.254/);
    expect(tool).toMatch(/IP Address Source\s+: Static Address/);
    const ours = (await json(['lan', 'print', '1'])) as Record<string, unknown>;
    expect(ours).toMatchObject({ ipAddress: '192.0.2.77', netmask: '255.255.254.0', gatewayIp: '192.0.2.254', ipSource: 'static' });
  });

  it('a bad value changes nothing', async () => {
    const r = await bmc(['lan', 'set', '1', 'netmask', '255.0.255.0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a contiguous mask/);
    expect(await ipmitool(sim.port, ['lan', 'print', '1'])).toMatch(/Subnet Mask\s+: 255\.255\.254\.0/);
  });

  it('setup creates an administrator who can then log in, and a second run changes nothing', async () => {
    const userPw = secretFile('night-shift-42');
    const args = ['--user-id', '4', '--user-name', 'lowpower', '--user-password-file', userPw, '--ipaddr', '192.0.2.80', '--netmask', '255.255.255.0', '--defgw', '192.0.2.1'];
    const first = await bmc(['setup'], ['--json', ...args]);
    expect(first.code, first.stderr).toBe(0);
    const steps = JSON.parse(first.stdout) as Array<{ what: string; result: string }>;
    expect(steps.filter((s) => s.result === 'changed').map((s) => s.what)).toEqual(
      expect.arrayContaining(['user name', 'user password', 'user access', 'netmask', 'gateway', 'ip address']),
    );
    expect(first.stdout).not.toContain('night-shift-42');
    // The new user logs in, with ipmitool and with us.
    expect(await ipmitool(sim.port, ['chassis', 'power', 'status'], { user: 'lowpower', password: 'night-shift-42' })).toMatch(/Chassis Power is/);
    const login = await cli(['bmc', 'power', 'status', '-H', '127.0.0.1', '-p', String(sim.port), '-U', 'lowpower', '-f', userPw]);
    expect(login.code, login.stderr).toBe(0);
    const second = await bmc(['setup'], ['--json', ...args]);
    const again = JSON.parse(second.stdout) as Array<{ what: string; result: string }>;
    expect(again.every((s) => s.result === 'already')).toBe(true);
  });

  it('user list shows the users and user set-password changes one', async () => {
    const users = (await json(['user', 'list'])) as Array<{ id: number; name: string }>;
    expect(users.find((u) => u.id === 2)?.name).toBe('admin');
    expect(users.find((u) => u.id === 3)?.name).toBe('operator');
    const newPw = secretFile('op-pass-2');
    const r = await bmc(['user', 'set-password', '3'], ['--new-password-file', newPw]);
    expect(r.code, r.stderr).toBe(0);
    expect(await ipmitool(sim.port, ['-L', 'OPERATOR', 'chassis', 'power', 'status'], { user: 'operator', password: 'op-pass-2' })).toMatch(/Chassis Power is/);
  });
});

describe('cipher suites', () => {
  it('ASF ping answers without credentials, and the cipher suite list is read inside a session', async () => {
    const r = await cli(['bmc', 'ping', '-H', '127.0.0.1', '-p', String(sim.port), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ipmi: true });
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3 });
    const suites = await b.cipherSuites(1);
    expect(suites.find((s) => s.id === 3)).toEqual({ id: 3, auth: [1], integrity: [1], confidentiality: [1] });
    expect(suites.some((s) => s.id === 17)).toBe(false);
    await b.close();
  });

  it('by default suite 17 is tried and, refused by ipmi_sim, suite 3 is used within a second', async () => {
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' });
    const t0 = performance.now();
    await b.connect();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(b.security).toBe('cipher suite 3');
    await b.close();
  });

  it('an explicit -C 17 fails with the BMC\'s reason, in one line', async () => {
    const r = await bmc(['power', 'status'], ['-C', '17']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/login failed: BMC refused the session: suite 17: invalid authentication algorithm/);
  });

  it('suite 0 is refused unless the caller is explicitly insecure', async () => {
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 0 });
    await expect(b.connect()).rejects.toThrow(/insecure/);
    await b.close();
    const explicit = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 0, insecure: true });
    expect(typeof (await explicit.chassisStatus()).powerOn).toBe('boolean');
    expect(explicit.security).toBe('cipher suite 0');
    await explicit.close();
    const r = await bmc(['power', 'status'], ['-C', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cipher suites 3 and 17/);
  });
});

describe('IPMI v1.5 and errors', () => {
  it('--lan15 (MD5) works for power and sensors', async () => {
    expect(await json(['power', 'status'], ['--lan15'])).toEqual({ power: 'off' });
    const sensors = (await json(['sensors', '--type', 'temperature'], ['--lan15'])) as unknown[];
    expect(sensors).toHaveLength(5);
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', lan15: true });
    await b.connect();
    expect(b.security).toBe('IPMI 1.5 MD5');
    await b.close();
  });

  it('a wrong password is an IpmiAuthError within 2 s, and one clear line from the CLI', async () => {
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'wrong-one', cipherSuite: 3 });
    const t0 = performance.now();
    await expect(b.power('status')).rejects.toBeInstanceOf(IpmiAuthError);
    expect(performance.now() - t0).toBeLessThan(2000);
    await b.close();
    const r = await cli(['bmc', 'power', 'status', ...base().slice(0, -1), secretFile('wrong-one')]);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5000);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/127\.0\.0\.1:\d+: login failed: wrong password/);
    expect(r.stderr).not.toMatch(/wrong-one|\bat \w+ \(/);
    const r15 = await cli(['bmc', 'power', 'status', ...base().slice(0, -1), secretFile('wrong-one'), '--lan15']);
    expect(r15.code).toBe(1);
    expect(r15.stderr.trim().split('\n')).toHaveLength(1);
    expect(r15.stderr).toMatch(/login failed/);
  });

  it('no BMC on the port: a timeout naming host, port and tries, within the deadline', async () => {
    const port = sim.port + 2; // nothing listens there
    const b = openBmc({ host: '127.0.0.1', port, username: 'admin', password: 'password', timeoutMs: 600, retries: 2 });
    const t0 = performance.now();
    const err = await b.power('status').catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(IpmiTimeoutError);
    expect((err as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}: no answer to .* after 3 tries`));
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(900);
    await b.close();
    const r = await cli(['bmc', 'power', 'status', '-H', '127.0.0.1', '-p', String(port), '-U', 'admin', '-f', pw, '-t', '500', '-R', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no answer to .* after 2 tries/);
  });
});

describe('sessions', () => {
  // ipmi_sim has 63 session slots (OpenIPMI's MAX_SESSIONS): 80 calls in a row fill them if any
  // call leaves its session open, and the last check finds every call's session closed.
  it('80 CLI calls in a row leave no session open on the BMC', async () => {
    for (let i = 0; i < 80; i++) {
      const r = await bmc(['power', 'status']);
      expect(r.code, r.stderr).toBe(0);
    }
    // ipmitool's own session is the only one active while it asks.
    const info = await ipmitool(sim.port, ['session', 'info', 'active']);
    expect(info).toMatch(/active sessions\s+: 1\b/);
  }, 240_000);
});

describe('identity against ipmi_sim (it has a GUID and no FRU data)', () => {
  it('gives the GUID that ipmitool mc guid prints, and no serials, rather than failing', async () => {
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 3 });
    try {
      const id = await b.identity();
      expect(id.guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(id.guidHex).toMatch(/^[0-9a-f]{32}$/);
      const printed = /System GUID\s+: ([0-9a-fA-F-]{36})/.exec(await ipmitool(sim.port, ['mc', 'guid']))?.[1];
      expect(printed).toBeDefined();
      expect(guidMatches(printed as string, Buffer.from(id.guidHex as string, 'hex'))).toBe(true);
      expect([id.chassisSerial, id.boardSerial, id.productSerial, id.fru]).toEqual([undefined, undefined, undefined, undefined]);
    } finally {
      await b.close();
    }
  });

  it('lowpower bmc identity prints the GUID and says the serials are not reported', async () => {
    const r = await bmc(['identity']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/System GUID\s+: [0-9a-f-]{36}/);
    expect(r.stdout).toMatch(/Product Serial\s+: not reported/);
  });
});
