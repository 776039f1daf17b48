/**
 * The local runner end to end: embedded dynalite, six simulated BMCs, the scheduler and the HTTP
 * API, driven over HTTP as a user with curl would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { freePort } from '../support/peers.ts';
import { onScheduleFired } from '../../lib/ops/index.ts';
import { FileSecrets } from '../../lib/store/index.ts';

let runner: LocalRunner;
const lines: string[] = [];

beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: (l) => lines.push(l) });
}, 60_000);
afterAll(async () => {
  await runner?.stop();
});

const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(`${runner.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

async function waitForOperation(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const { json } = await api('GET', `/v1/operations/${id}`);
    const op = json.operation as Record<string, unknown>;
    if (op.state === 'succeeded' || op.state === 'failed') return op;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`operation ${id} did not finish`);
}

describe('local runner', () => {
  it('lists the six hosts', async () => {
    const { status, json } = await api('GET', '/v1/hosts');
    expect(status).toBe(200);
    expect((json.hosts as unknown[]).length).toBe(6);
    expect(JSON.stringify(json)).not.toMatch(/secret|password/i);
  });

  it('switches a host off over HTTP: 202, the operation succeeds, the BMC is off, the host record says so', async () => {
    const bmc = runner.fleet.bmcs[0];
    bmc.state.host.control('on');
    const { status, json } = await api('POST', `/v1/hosts/${bmc.name}/power`, { action: 'off', reason: 'test' });
    expect(status).toBe(202);
    const id = (json.operation as { id: string }).id;
    const op = await waitForOperation(id);
    expect(op.state).toBe('succeeded');
    expect(bmc.state.host.powerOn).toBe(false);
    const host = await api('GET', `/v1/hosts/${bmc.name}`);
    expect((host.json.host as { power: string }).power).toBe('off');
    expect(lines.some((l) => l.includes(`${id.slice(0, 8)} command ${bmc.name}: done`))).toBe(true);
  });

  it('50 concurrent power-off requests for one host: one 202, 49 409 naming the running operation', async () => {
    const bmc = runner.fleet.bmcs[1];
    bmc.state.host.control('on');
    const offs = bmc.state.host.controlCounts.off;
    const all = await Promise.all(Array.from({ length: 50 }, () => api('POST', `/v1/hosts/${bmc.name}/power`, { action: 'off', reason: 'load' })));
    const accepted = all.filter((r) => r.status === 202);
    const busy = all.filter((r) => r.status === 409);
    expect(accepted).toHaveLength(1);
    expect(busy).toHaveLength(49);
    const id = (accepted[0].json.operation as { id: string }).id;
    for (const b of busy) expect(b.json.error).toMatchObject({ code: 'busy', operation: id });
    await waitForOperation(id);
    expect(bmc.state.host.controlCounts.off).toBe(offs + 1);
    const audit = await runner.store.listAudit(new Date().toISOString().slice(0, 10));
    const actions = audit.filter((a) => a.operationId === id).map((a) => a.action);
    expect(actions.filter((a) => !a.startsWith('step '))).toEqual(['power off requested', 'power off']);
    expect(actions.filter((a) => a.startsWith('step ')).sort()).toEqual([`step check ${bmc.name}`, `step command ${bmc.name}`, `step confirm ${bmc.name}`, 'step release'].sort());
  });

  it('a scheduled power-off fires: every targeted BMC reaches off, each step once in the audit', async () => {
    const targets = runner.fleet.bmcs.slice(-2);
    for (const b of targets) b.state.host.control('on');
    await runner.fire('night-off');
    for (const b of targets) expect(b.state.host.powerOn).toBe(false);
    const audit = await runner.store.listAudit(new Date().toISOString().slice(0, 10));
    const mine = audit.filter((a) => a.source === 'schedule' && a.actor === 'schedule:night-off');
    // A scheduled power-off is a clean (soft) shutdown first.
    expect(mine.filter((a) => a.action === 'power soft').map((a) => a.hostId).sort()).toEqual(targets.map((b) => b.name).sort());
    expect(mine.filter((a) => a.action === 'power soft requested')).toHaveLength(1);
    const opId = mine[0].operationId as string;
    const steps = mine.filter((a) => a.operationId === opId && a.action.startsWith('step ')).map((a) => a.action);
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps.sort()).toEqual([...targets.flatMap((b) => ['check', 'command', 'confirm', 'escalate'].map((n) => `step ${n} ${b.name}`)), 'step release'].sort());
  });

  it('schedules: invalid expressions are a 400 naming the field; create and delete work', async () => {
    const bad = await api('POST', '/v1/schedules', { name: 'bad', action: 'power-off', expression: 'cron(0 25 * * ? *)', timezone: 'UTC' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'invalid_schedule', field: 'expression' });
    const zone = await api('POST', '/v1/schedules', { name: 'bad2', action: 'power-off', expression: 'cron(0 22 ? * MON-FRI *)', timezone: 'Mars/Olympus' });
    expect(zone.json.error).toMatchObject({ field: 'timezone' });
    const ok = await api('POST', '/v1/schedules', { name: 'weekend-off', hostIds: ['host-003'], action: 'power-off', expression: 'cron(0 20 ? * SAT *)', timezone: 'Europe/Berlin' });
    expect(ok.status).toBe(201);
    const list = await api('GET', '/v1/schedules');
    expect(JSON.stringify(list.json)).toContain('weekend-off');
    expect((await api('DELETE', '/v1/schedules/weekend-off')).status).toBe(200);
    expect((await api('DELETE', '/v1/schedules/weekend-off')).status).toBe(404);
  });

  it('schedules live in the store: skip tonight and hold awake are honoured when the schedule fires', async () => {
    const targets = runner.fleet.bmcs.slice(-2);
    for (const b of targets) b.state.host.control('on');
    const skip = await api('POST', '/v1/schedules/night-off/skip', { reason: 'inventory tonight' });
    expect(skip.status).toBe(200);
    const skipped = (skip.json.schedule as { exceptions: { skipOnce: { date: string } } }).exceptions.skipOnce.date;
    expect((await runner.store.getSchedule(runner.poolId, 'night-off'))?.exceptions).toMatchObject({ skipOnce: { date: skipped } });
    // Fire it as EventBridge would at its next due time: skipped, hosts untouched.
    const next = new Date((skip.json.schedule as { nextFire: string }).nextFire);
    const fired = await onScheduleFired({ ...runner.ops, secrets: new FileSecrets('/nonexistent') }, { poolId: runner.poolId, scheduleName: 'night-off', at: next });
    expect(fired).toMatchObject({ ran: false, reason: 'skip-once' });
    const hold = await api('POST', `/v1/pools/${runner.poolId}/hold`, { until: new Date(next.getTime() + 86_400_000 * 2).toISOString(), reason: 'release weekend' });
    expect(hold.json).toMatchObject({ held: ['night-off'] });
    const dayAfter = new Date(next.getTime() + 86_400_000);
    expect(await onScheduleFired({ ...runner.ops, secrets: new FileSecrets('/nonexistent') }, { poolId: runner.poolId, scheduleName: 'night-off', at: dayAfter })).toMatchObject({ ran: false, reason: 'held-awake' });
    for (const b of targets) expect(b.state.host.powerOn).toBe(true);
    const audit = await runner.store.listAudit(new Date().toISOString().slice(0, 10));
    expect(audit.filter((a) => a.action === 'power-off not run').map((a) => a.message?.split(':')[0])).toEqual(['skip-once', 'held-awake']);
    await api('PATCH', '/v1/schedules/night-off', { exceptions: {} });
  });

  it('bad requests are clear 4xx answers and change nothing', async () => {
    expect((await api('POST', '/v1/hosts/nope/power', { action: 'off', reason: 'x' })).status).toBe(404);
    expect((await api('POST', '/v1/hosts/host-001/power', { action: 'explode', reason: 'x' })).json.error).toMatchObject({ code: 'bad_action' });
    expect((await api('POST', '/v1/hosts/host-001/power', { action: 'on' })).json.error).toMatchObject({ code: 'reason_required' });
    expect((await api('GET', '/v1/operations/does-not-exist')).status).toBe(404);
  });
});
