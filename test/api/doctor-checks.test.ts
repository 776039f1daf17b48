/**
 * The doctor's single checks with the real parts behind them: a simulated BMC over UDP refusing a
 * wrong password, a port nobody answers on, a missing secret; a simulated XAPI pool refusing a
 * wrong password and one that is down; bindings as decideBinding makes them; and what each says
 * to do. No password appears in any line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBinding, checkBmc, checkTimer, checkXapi, LateError, withDeadline, type Bound } from '../../lib/api/doctor-checks.ts';
import { decideBinding } from '../../lib/ops/binding.ts';
import { IpmiPowerDriver } from '../../lib/drivers/ipmi-driver.ts';
import { hypervisorCache } from '../../lib/ops/hypervisors.ts';
import { FileSecrets } from '../../lib/store/secrets.ts';
import type { Host, Pool } from '../../lib/store/types.ts';
import type { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';
import { smallPool, PASSWORD, type SmallPool } from '../xen/support.ts';
import { freePort } from '../support/peers.ts';

const BMC_PASSWORD = 'bmc-pass-7c1e';
const unbounded: Bound = (p) => p;
const stamp = { version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

let bmc: SimulatedBmc;
let pool: SmallPool;
let secrets: FileSecrets;

beforeAll(async () => {
  bmc = await startSim({ adminPassword: BMC_PASSWORD });
  pool = await smallPool([]);
  secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-doctor-secrets-')));
  await secrets.put('bmc.right', BMC_PASSWORD);
  await secrets.put('bmc.wrong', 'not-the-password');
  await secrets.put('xapi.right', PASSWORD);
  await secrets.put('xapi.wrong', 'not-the-xapi-password');
});
afterAll(async () => {
  await bmc?.stop();
  await pool?.sim.stop();
});

const host = (o: Partial<Host> = {}): Host => ({ poolId: 'p1', hostId: 'h1', bmcAddress: '127.0.0.1', bmcPort: bmc.port, bmcUser: 'admin', secretRef: 'bmc.right', cipherSuite: 17, power: 'on', ...stamp, ...o });
const poolOf = (secretRef: string, xapiUrl = pool.sim.url): Pool => ({ poolId: 'p1', xapiUrl, xapiUser: 'root', secretRef, ...stamp });
const noPassword = (text: string): void => {
  for (const p of [BMC_PASSWORD, 'not-the-password', PASSWORD, 'not-the-xapi-password']) expect(text).not.toContain(p);
};

describe('the BMC check, over UDP to a simulated BMC', () => {
  let driver: IpmiPowerDriver;
  beforeAll(() => {
    driver = new IpmiPowerDriver(secrets, { timeoutMs: 400, retries: 1 });
  });
  afterAll(() => driver.close());

  it('ok when the BMC answers a power status', async () => {
    expect(await checkBmc(host(), driver, unbounded)).toEqual({ status: 'ok', detail: `ipmi at 127.0.0.1:${bmc.port} answers: power on` });
  });

  it('a wrong password: fails with the login refusal and says to check the user and password', async () => {
    const f = await checkBmc(host({ hostId: 'h2', secretRef: 'bmc.wrong' }), driver, unbounded);
    expect(f).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^ipmi at 127\.0\.0\.1:\d+ does not answer: login failed/), fix: 'check the BMC user admin and its password: PATCH /v1/hosts/h2 with bmcPassword' });
    noPassword(JSON.stringify(f));
  });

  it('no password in the secret store: says to put one', async () => {
    const f = await checkBmc(host({ hostId: 'h3', secretRef: 'bmc.none' }), driver, unbounded);
    expect(f).toMatchObject({ status: 'fail', detail: expect.stringContaining('secret bmc.none not found'), fix: "put the BMC's password: PATCH /v1/hosts/h3 with bmcPassword" });
  });

  it('nobody on the port: fails as silence, with the network fix for IPMI', async () => {
    const port = await freePort();
    const f = await checkBmc(host({ hostId: 'h4', bmcPort: port }), driver, unbounded);
    expect(f).toMatchObject({ status: 'fail', detail: expect.stringMatching(new RegExp(`^ipmi at 127\\.0\\.0\\.1:${port} does not answer: no answer`)), fix: `start IPMI over LAN on the BMC, or check the security group for UDP ${port} from the functions' subnets to 127.0.0.1 (inside bmcCidr)` });
  });

  it('a host without a BMC is a warning, not a read', async () => {
    expect(await checkBmc(host({ bmcProtocol: 'xapi' }), driver, unbounded)).toMatchObject({ status: 'warn', detail: 'no BMC: lowpower knows its power only through XAPI' });
  });

  it('the deadline cuts a read off and says after how long', async () => {
    const port = await freePort();
    const slow = new IpmiPowerDriver(secrets, { timeoutMs: 1500, retries: 1 });
    const started = Date.now();
    const f = await checkBmc(host({ hostId: 'h5', bmcPort: port }), slow, (work) => withDeadline(work, 200));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(f).toMatchObject({ status: 'fail', detail: expect.stringMatching(/does not answer: no answer within 0\.2 s$/) });
    await slow.close();
    await expect(withDeadline(new Promise(() => undefined), 50)).rejects.toBeInstanceOf(LateError);
  });
});

describe('the XAPI check, against a simulated pool', () => {
  it('ok: the pool, its master and HA', async () => {
    const { hypervisorFor, closeAll } = hypervisorCache(secrets);
    try {
      const f = await checkXapi(poolOf('xapi.right'), hypervisorFor, unbounded);
      expect(f).toEqual({ status: 'ok', detail: `${new URL(pool.sim.url).origin} answers: pool 'test-pool', master h1, HA off` });
    } finally {
      await closeAll();
    }
  });

  it('a wrong password: the login refusal, and where the password goes', async () => {
    const { hypervisorFor, closeAll } = hypervisorCache(secrets);
    try {
      const f = await checkXapi(poolOf('xapi.wrong'), hypervisorFor, unbounded);
      expect(f).toMatchObject({ status: 'fail', detail: expect.stringContaining('SESSION_AUTHENTICATION_FAILED'), fix: "check the XAPI user root, or set the pool's XAPI password again: PATCH /v1/pools/p1 with xapiPassword (it is kept as the secret xapi.wrong)" });
      noPassword(JSON.stringify(f));
    } finally {
      await closeAll();
    }
  });

  it('nobody at the address: unreachable, with the network fix', async () => {
    const { hypervisorFor, closeAll } = hypervisorCache(secrets);
    const url = `http://127.0.0.1:${await freePort()}`;
    try {
      const f = await checkXapi(poolOf('xapi.right', url), hypervisorFor, unbounded);
      expect(f).toMatchObject({ status: 'fail', detail: expect.stringMatching(/XAPI unreachable/), fix: expect.stringMatching(/^check that the pool master at http:\/\/127\.0\.0\.1:\d+ is up/) });
    } finally {
      await closeAll();
    }
  });

  it('an API without XAPI access says it did not check', async () => {
    expect(await checkXapi(poolOf('xapi.right'), undefined, unbounded)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^not checked: /) });
  });
});

describe('the binding check', () => {
  const at = (h: Host): string => `${h.bmcAddress}:${h.bmcPort}`;
  const bound = (h: Host, bmcSerial: string, xapiSerial: string): Host => ({ ...h, binding: decideBinding(h.hostId, at(h), { protocol: 'ipmi', productSerial: bmcSerial }, { serial: xapiSerial }, '2026-01-01T00:00:00.000Z') });

  it('bound, trusted: ok; unverified: a warning; mismatch, never read, moved address: failures with what to do', () => {
    const h = host();
    expect(checkBinding(bound(h, 'SN-1', 'SN-1'))).toMatchObject({ status: 'ok', detail: 'bound: serials match (system serial)' });
    const unverified = bound(h, 'To be filled by O.E.M.', 'SN-1');
    expect(checkBinding(unverified)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^unverified: the BMC gives no usable serial.*; it never sleeps until an admin trusts it$/), fix: expect.stringContaining('"identity":"trust"') });
    expect(checkBinding({ ...unverified, identity: 'trust' })).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^unverified, trusted by an admin: /) });
    expect(checkBinding(bound(h, 'SN-2', 'SN-1'))).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^mismatch: the BMC at .* belongs to another machine/), fix: expect.stringMatching(/^fix the BMC address \(PATCH \/v1\/hosts\/h1\), or after a board or BMC replacement POST \/v1\/hosts\/h1\/rebind/) });
    expect(checkBinding(h)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^not bound: /), fix: 'POST /v1/hosts/h1/rebind once its BMC answers (admin)' });
    expect(checkBinding({ ...bound(h, 'SN-1', 'SN-1'), bmcAddress: '127.0.0.2' })).toMatchObject({ status: 'fail', detail: expect.stringMatching(/BMC address changed from 127\.0\.0\.1:\d+ to 127\.0\.0\.2:\d+/) });
  });
});

describe('the timer check', () => {
  const want = { expression: 'cron(0 22 * * ? *)', timezone: 'UTC', enabled: true };
  it('words for each state, a fix only where one helps', () => {
    expect(checkTimer('p1', { name: 's', state: 'present', want, have: want })).toEqual({ status: 'ok', detail: 'timer cron(0 22 * * ? *) UTC' });
    expect(checkTimer('p1', { name: 's', state: 'differs', want, have: { ...want, enabled: false } })).toMatchObject({ status: 'fail', detail: "the scheduler's timer is cron(0 22 * * ? *) UTC (disabled); the store wants cron(0 22 * * ? *) UTC" });
    expect(checkTimer('p1', { name: 's', state: 'unknown', want, error: 'AccessDeniedException' })).toMatchObject({ status: 'fail', detail: 'the scheduler could not be asked: AccessDeniedException', fix: expect.stringContaining('scheduler:GetSchedule') });
    expect(checkTimer('p1', { name: 's', state: 'unchecked', want })).toMatchObject({ status: 'warn' });
  });
});
