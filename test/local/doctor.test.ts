/**
 * `lowpower doctor` against the local runner, end to end: the CLI over real HTTP, the service's
 * checks against the simulated XAPI pool, the simulated BMCs over real UDP and HTTPS, the local
 * scheduler's timers, and the runner's Slack endpoint. Faults are switched on the simulators
 * themselves: a silent BMC, a timer gone from the scheduler (not from the store), XAPI down.
 */
import { readdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { runDoctorCommand } from '../../lib/cli/doctor-command.ts';
import { DOCTOR_LIMITS } from '../../lib/api/doctor-routes.ts';
import type { DoctorAnswer } from '../../lib/api/schemas/doctor.ts';
import { freePort } from '../support/peers.ts';
import { capture } from '../cli/capture.ts';

let runner: LocalRunner;
let secrets: string[] = [];

beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: () => {} });
  const dir = join(runner.stateDir, 'secrets');
  secrets = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8').trim());
}, 60_000);
afterAll(async () => {
  await runner?.stop();
});

const doctor = (...args: string[]) => capture(() => runDoctorCommand(['--url', runner.url, ...args], { env: {} }));
const lineOf = (out: string, name: string): string | undefined => out.split('\n').find((l) => l.slice(2).startsWith(`${name}: `));
const noSecretIn = (text: string): void => {
  expect(secrets.length).toBeGreaterThan(1);
  for (const s of secrets) expect(text).not.toContain(s);
};

describe('lowpower doctor against the local runner', () => {
  it('passes: the API, the role, XAPI, six BMCs answering and bound, four timers, Slack refusing an unsigned request', async () => {
    const r = await doctor();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    // 2 (API, role) + 1 XAPI + 6 x (BMC, binding) + 4 schedules + 1 Slack, then the tally.
    expect(lines).toHaveLength(21);
    expect(lines.slice(0, -1).every((l) => l.startsWith('✓ '))).toBe(true);
    expect(lines.at(-1)).toBe('20 ok, 0 to look at, 0 failed');
    expect(lineOf(r.out, 'API')).toMatch(new RegExp(`answers \\(you are `));
    expect(lineOf(r.out, 'role')).toMatch(/^✓ role: admin: /);
    expect(lineOf(r.out, 'XAPI pool-1')).toMatch(/^✓ XAPI pool-1: http:\/\/127\.0\.0\.1:\d+ answers: pool '.+', master host-001, HA on \(1 host failure\(s\) tolerated\)$/);
    expect(lineOf(r.out, 'BMC host-005')).toMatch(/^✓ BMC host-005: ipmi at 127\.0\.0\.1:\d+ answers: power on$/);
    expect(lineOf(r.out, 'BMC host-004')).toMatch(/^✓ BMC host-004: redfish at 127\.0\.0\.1:\d+ answers: power on$/);
    expect(lineOf(r.out, 'binding host-004')).toMatch(/^✓ binding host-004: bound: serials match/);
    // The wake's timer is the schedule started early by the pool's lead time.
    expect(lineOf(r.out, 'schedule pool-1/night-sleep')).toBe('✓ schedule pool-1/night-sleep: timer cron(30 23 ? * MON-FRI *) Europe/Berlin');
    expect(lineOf(r.out, 'schedule pool-1/morning-wake')).toMatch(/^✓ schedule pool-1\/morning-wake: timer cron\(\d+ \d+ \? \* (MON-FRI|SUN-THU) \*\) Europe\/Berlin$/);
    expect(lineOf(r.out, 'schedule pool-1/poll')).toBe('✓ schedule pool-1/poll: timer rate(1 minute) UTC');
    expect(lineOf(r.out, 'schedule pool-1/load')).toBe('✓ schedule pool-1/load: timer rate(1 minute) UTC');
    expect(lineOf(r.out, 'Slack signature check')).toBe(`✓ Slack signature check: ${runner.url}/slack/commands refuses an unsigned request (401)`);
    noSecretIn(r.out);
  });

  it('a viewer may run it (read-only checks): the role line says viewer, and it still passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowpower-doctor-'));
    const file = join(dir, 'token');
    writeFileSync(file, `${runner.apiKeys.viewer}\n`, { mode: 0o600 });
    const r = await doctor('--token-file', file);
    expect(r.code).toBe(0);
    expect(lineOf(r.out, 'role')).toBe('✓ role: viewer: reads only (power, sleep, wake and schedules need operator)');
    expect(r.out).not.toContain(runner.apiKeys.viewer);
  });

  it('with a BMC stopped, its line fails naming the host and what to do, the others pass, and the exit code is 1', async () => {
    const bmc = runner.fleet.byName('host-005')!;
    bmc.silent = true;
    try {
      const started = Date.now();
      const r = await doctor();
      expect(Date.now() - started).toBeLessThan(DOCTOR_LIMITS.checkMs + 5000);
      expect(r.code).toBe(1);
      expect(lineOf(r.out, 'BMC host-005')).toMatch(
        /^✗ BMC host-005: ipmi at 127\.0\.0\.1:(\d+) does not answer: .+ → start IPMI over LAN on the BMC, or check the security group for UDP \1 from the functions' subnets to 127\.0\.0\.1 \(inside bmcCidr\)$/,
      );
      const failed = r.out.split('\n').filter((l) => l.startsWith('✗ '));
      expect(failed).toHaveLength(1);
      expect(r.out.trim().split('\n').at(-1)).toBe('19 ok, 0 to look at, 1 failed');
      noSecretIn(r.out);
    } finally {
      bmc.silent = false;
    }
  });

  it('a silent Redfish BMC: the line names the host and the Redfish fix', async () => {
    const bmc = runner.fleet.byName('host-004')!;
    bmc.silent = true;
    try {
      const r = await doctor('--json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.out) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string; fix?: string; host?: string }> };
      expect(report.ok).toBe(false);
      const line = report.checks.find((c) => c.name === 'BMC host-004');
      expect(line).toMatchObject({ status: 'fail', host: 'host-004', detail: expect.stringMatching(/^redfish at 127\.0\.0\.1:\d+ does not answer: /), fix: expect.stringMatching(/^turn on the BMC's Redfish service, or check the security group for HTTPS \(TCP \d+\)/) });
      expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual(['BMC host-004']);
    } finally {
      bmc.silent = false;
    }
  });

  it("with a schedule's timer removed from the scheduler (kept in the store), its line fails naming it; the fix it gives puts it back", async () => {
    expect(runner.scheduler.remove('pool-1.night-sleep')).toBe(true);
    expect((await runner.store.getSchedule('pool-1', 'night-sleep'))?.cron).toBe('cron(30 23 ? * MON-FRI *)');
    const r = await doctor();
    expect(r.code).toBe(1);
    expect(lineOf(r.out, 'schedule pool-1/night-sleep')).toBe(
      '✗ schedule pool-1/night-sleep: no timer pool-1.night-sleep in the scheduler; the store has cron(30 23 ? * MON-FRI *) Europe/Berlin → write its timer again: PATCH /v1/schedules/night-sleep?pool=pool-1 with {} (operator); the local runner also re-arms every timer at start',
    );
    expect(r.out.split('\n').filter((l) => l.startsWith('✗ '))).toHaveLength(1);

    const patch = await fetch(`${runner.url}/v1/schedules/night-sleep?pool=pool-1`, { method: 'PATCH', body: '{}' });
    expect(patch.status).toBe(200);
    expect(runner.scheduler.list().some((e) => e.schedule.name === 'pool-1.night-sleep')).toBe(true);
    expect((await doctor()).code).toBe(0);
  });

  it('a timer that fires otherwise than the store says fails too, with both', async () => {
    const timer = runner.scheduler.list().find((e) => e.schedule.name === 'pool-1.poll')!.schedule;
    runner.scheduler.update({ ...timer, expression: 'rate(5 minutes)' });
    try {
      const r = await doctor();
      expect(r.code).toBe(1);
      expect(lineOf(r.out, 'schedule pool-1/poll')).toMatch(/^✗ schedule pool-1\/poll: the scheduler's timer is rate\(5 minutes\) UTC; the store wants rate\(1 minute\) UTC → write its timer again/);
    } finally {
      runner.scheduler.update(timer);
    }
  });

  it('with XAPI down, the XAPI line fails with what to check; the BMCs still answer', async () => {
    runner.faults.set('xapi-down', true, null);
    try {
      const r = await doctor();
      expect(r.code).toBe(1);
      expect(lineOf(r.out, 'XAPI pool-1')).toMatch(/^✗ XAPI pool-1: http:\/\/127\.0\.0\.1:(\d+): .+ → check that the pool master at http:\/\/127\.0\.0\.1:\1 is up and that the functions' subnets reach it/);
      expect(lineOf(r.out, 'BMC host-001')).toMatch(/^✓ /);
      noSecretIn(r.out);
    } finally {
      runner.faults.set('xapi-down', false, null);
    }
  });

  it('GET /v1/doctor answers its documented shape to a viewer; ?pool= checks one pool, an unknown one is a 404', async () => {
    const get = (q: string) => fetch(`${runner.url}/v1/doctor${q}`, { headers: { authorization: `Bearer ${runner.apiKeys.viewer}` } });
    const res = await get('?pool=pool-1');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as DoctorAnswer;
    expect(answer.summary).toEqual({ ok: answer.checks.length, warn: 0, fail: 0 });
    expect(answer.checks.map((c) => c.kind)).toEqual(['xapi', ...Array(6).fill(['bmc', 'binding']).flat(), 'schedule', 'schedule', 'schedule', 'schedule']);
    expect(answer.checks.every((c) => c.fix === undefined && c.ms >= 0)).toBe(true);
    noSecretIn(JSON.stringify(answer));
    const unknown = await get('?pool=pool-9');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_pool');
    const r = await doctor('--pool', 'pool-9');
    expect(r.code).toBe(1);
    expect(lineOf(r.out, 'service checks')).toMatch(/^✗ service checks: GET \/v1\/doctor\?pool=pool-9: 404 no pool pool-9 → name a pool the API has/);
  });

  it('is bounded in time: a BMC slower than a check is cut off at the check time; past the budget the rest is "not checked"', async () => {
    const saved = { ...DOCTOR_LIMITS };
    const bmc = runner.fleet.byName('host-003')!;
    bmc.silent = true;
    try {
      DOCTOR_LIMITS.checkMs = 300;
      let r = await doctor('--json');
      let checks = (JSON.parse(r.out) as { checks: Array<{ name: string; status: string; detail: string; ms?: number }> }).checks;
      const late = checks.find((c) => c.name === 'BMC host-003')!;
      expect(late).toMatchObject({ status: 'fail', detail: expect.stringMatching(/does not answer: no answer within 0\.3 s$/) });
      expect(late.ms).toBeLessThan(1000);

      DOCTOR_LIMITS.budgetMs = 0;
      r = await doctor('--json');
      checks = (JSON.parse(r.out) as { checks: typeof checks }).checks;
      const skipped = checks.filter((c) => /^(XAPI|BMC|schedules) /.test(c.name));
      expect(skipped).toHaveLength(1 + 6 + 1);
      for (const c of skipped) expect(c).toMatchObject({ status: 'warn', detail: "not checked: the doctor's 0 s were up" });
      // The bindings come from the store as read: checked whatever the time.
      expect(checks.filter((c) => c.name.startsWith('binding ')).every((c) => c.status === 'ok')).toBe(true);
      expect(r.code).toBe(0);
    } finally {
      Object.assign(DOCTOR_LIMITS, saved);
      bmc.silent = false;
    }
  });
});
