/**
 * Acceptance against a BMC built on pyghmi (a second, independent implementation), over real UDP.
 * It speaks RMCP+ with cipher suite 3 only, and answers a suite 17 request with suite 3's
 * algorithms: lowpower must fall back to suite 3 quickly instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, secretFile, startPyghmiBmc, type Peer } from '../support/peers.ts';
import { openBmc } from '../../lib/ipmi/client.ts';
import { IpmiAuthError } from '../../lib/ipmi/errors.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
let peer: Peer;
let pw: string;
const bmc = (args: string[]) => cli(['bmc', ...args, '-H', '127.0.0.1', '-p', String(peer.port), '-U', 'admin', '-f', pw]);
const toolStatus = async (): Promise<string> =>
  (await run('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(peer.port), '-U', 'admin', '-P', 'password', 'chassis', 'power', 'status'])).stdout.trim();

beforeAll(async () => {
  peer = await startPyghmiBmc();
  pw = secretFile('password');
});
afterAll(async () => {
  await peer?.stop();
});

describe('pyghmi BMC', () => {
  it('default cipher choice falls back from 17 to 3 within a second', async () => {
    const b = openBmc({ host: '127.0.0.1', port: peer.port, username: 'admin', password: 'password' });
    const t0 = performance.now();
    await b.connect();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(b.security).toBe('cipher suite 3');
    await b.close();
  });

  it('an explicit -C 17 is not silently downgraded', async () => {
    const r = await bmc(['power', 'status', '-C', '17']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/login failed: suite 17: BMC offered algorithms 1\/1\/1 instead/);
  });

  it('power verbs change the peer as ipmitool reads it', async () => {
    expect(await toolStatus()).toBe('Chassis Power is off');
    let r = await bmc(['power', 'on', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ power: 'on', changed: true });
    expect(await toolStatus()).toBe('Chassis Power is on');
    r = await bmc(['power', 'status', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ power: 'on' });
    r = await bmc(['power', 'cycle']);
    expect(r.code, r.stderr).toBe(0);
    r = await bmc(['power', 'reset']);
    expect(r.code, r.stderr).toBe(0);
    r = await bmc(['power', 'soft']);
    expect(r.code, r.stderr).toBe(0);
    expect(await toolStatus()).toBe('Chassis Power is off');
    r = await bmc(['power', 'on']);
    r = await bmc(['power', 'off', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ power: 'off', changed: true });
    expect(await toolStatus()).toBe('Chassis Power is off');
    r = await bmc(['power', 'off']);
    expect(r.stdout).toContain('already off');
    const log = (await import('node:fs')).readFileSync(`${peer.state}/fake_bmc.log`, 'utf8');
    expect(log.match(/power on/g)?.length).toBe(2);
    expect(log.match(/power cycle/g)?.length).toBe(1);
    expect(log.match(/power reset/g)?.length).toBe(1);
    expect(log.match(/soft off/g)?.length).toBe(1);
    expect(log.match(/power off/g)?.length).toBe(1);
  });

  it('chassis status and mc info (its 14-byte Get Device ID is read through the quirk table)', async () => {
    const st = await bmc(['chassis', 'status', '--json']);
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ powerOn: false });
    const mc = await bmc(['mc', 'info', '--json']);
    expect(mc.code, mc.stderr).toBe(0);
    expect(JSON.parse(mc.stdout)).toMatchObject({ ipmiVersion: '2.0', manufacturerId: 0, productId: 0 });
    const text = await bmc(['chassis', 'status']);
    expect(text.stdout).toMatch(/System Power\s+: off/);
  });

  it('bootdev reaches the BMC', async () => {
    const r = await bmc(['bootdev', 'pxe']);
    expect(r.code, r.stderr).toBe(0);
    const log = (await import('node:fs')).readFileSync(`${peer.state}/fake_bmc.log`, 'utf8');
    expect(log).toMatch(/set bootdev network/);
  });

  it('what it does not implement is "not supported by this BMC", one line', async () => {
    const r = await bmc(['sensors']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not supported by this BMC/);
  });

  it('wrong password: IpmiAuthError within 2 s', async () => {
    const b = openBmc({ host: '127.0.0.1', port: peer.port, username: 'admin', password: 'nope' });
    const t0 = performance.now();
    await expect(b.connect()).rejects.toBeInstanceOf(IpmiAuthError);
    expect(performance.now() - t0).toBeLessThan(2000);
    await b.close();
  });
});
