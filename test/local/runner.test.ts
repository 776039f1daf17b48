/**
 * The local runner end to end: embedded dynalite, six simulated BMCs, the simulated XAPI pool, the
 * scheduler over schedules in the store, the HTTP API and the Slack endpoint, driven over HTTP as a
 * user with curl would.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { freePort } from '../support/peers.ts';
import { onScheduleFired } from '../../lib/ops/index.ts';
import { FileSecrets } from '../../lib/store/index.ts';
import { renderNotice, signSlackRequest } from '../../lib/slack/index.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';
import { simIdentityFor } from '../../lib/sim/ipmi/identity.ts';

let runner: LocalRunner;
const lines: string[] = [];
const channel: string[] = [];

beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: (l) => lines.push(l), migrateMsPerGiB: 2, notifier: async (ns) => void channel.push(...ns.map((n) => JSON.stringify(renderNotice(n)))) });
}, 60_000);
afterAll(async () => {
  await runner?.stop();
});

type Json = Record<string, unknown>;
const api = async (method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; json: Json }> => {
  const res = await fetch(`${runner.url}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {}, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
};

async function waitForOperation(id: string): Promise<Json> {
  for (let i = 0; i < 300; i++) {
    const { json } = await api('GET', `/v1/operations/${id}`);
    const op = json.operation as Json;
    if (op.state === 'succeeded' || op.state === 'failed' || op.state === 'cancelled') return op;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`operation ${id} did not finish`);
}

const bmc = (name: string) => runner.fleet.bmcs.find((b) => b.name === name)!;
const today = (): string => new Date().toISOString().slice(0, 10);

describe('local runner', () => {
  it('lists the six hosts and the pool, with no secret in any answer', async () => {
    const { status, json } = await api('GET', '/v1/hosts');
    expect(status).toBe(200);
    expect((json.hosts as unknown[]).length).toBe(6);
    const pool = await api('GET', `/v1/pools/${runner.poolId}`);
    expect(pool.status).toBe(200);
    const hosts = pool.json.hosts as Array<{ id: string; vms: unknown[]; live: boolean }>;
    expect(hosts.map((h) => h.id)).toEqual(['host-001', 'host-002', 'host-003', 'host-004', 'host-005', 'host-006']);
    expect(hosts.reduce((a, h) => a + h.vms.length, 0)).toBe(30);
    expect(JSON.stringify([json, pool.json])).not.toMatch(/secret|password/i);
  });

  it('a power-off of a host that runs VMs is refused at once (409 refused), nothing is written', async () => {
    const before = (await runner.store.listOperations(runner.poolId)).length;
    const r = await api('POST', '/v1/hosts/host-004/power', { action: 'off', reason: 'test' });
    expect(r.status).toBe(409);
    expect(r.json.error).toMatchObject({ code: 'refused', host: 'host-004', why: expect.stringMatching(/host-004 runs \d+ VM/) });
    expect((await runner.store.listOperations(runner.poolId)).length).toBe(before);
    expect(bmc('host-004').host.powerOn).toBe(true);
  });

  it('the plan over HTTP keeps the master, the local-storage host and the never-sleep host, each with its reason', async () => {
    const { status, json } = await api('GET', `/v1/pools/${runner.poolId}/plan`);
    expect(status).toBe(200);
    const plan = json.plan as { sleep: string[]; keep: Array<{ hostId: string; reason: string }> };
    expect(plan.sleep.sort()).toEqual(['host-004', 'host-005', 'host-006']);
    expect(Object.fromEntries(plan.keep.map((k) => [k.hostId, k.reason]))).toEqual({
      'host-001': 'pool master',
      'host-002': 'marked never-sleep',
      'host-003': expect.stringMatching(/vm-13 is pinned: local storage/),
    });
  });

  it('a sleep over HTTP: 202, the hosts are drained and off; a host asleep then powers on over HTTP', async () => {
    const r = await api('POST', `/v1/pools/${runner.poolId}/sleep`, { reason: 'test night' });
    expect(r.status).toBe(202);
    const op = await waitForOperation((r.json.operation as { id: string }).id);
    expect(op.state).toBe('succeeded');
    for (const h of ['host-004', 'host-005', 'host-006']) expect(bmc(h).host.powerOn, h).toBe(false);
    for (const vm of runner.xapi.state.guests()) expect(vm.power_state, vm.name_label).toBe('Running');
    const on = await api('POST', '/v1/hosts/host-006/power', { action: 'on', reason: 'test' });
    expect(on.status).toBe(202);
    expect((await waitForOperation((on.json.operation as { id: string }).id)).state).toBe('succeeded');
    expect(bmc('host-006').host.powerOn).toBe(true);
    expect(lines.some((l) => l.includes('step=command host=host-006 state=done'))).toBe(true);
  }, 60_000);

  it('50 concurrent power requests for one host: one 202, 49 409 naming the running operation, one command, a complete audit', async () => {
    const b = bmc('host-005');
    const ons = b.host.controlCounts.on;
    const all = await Promise.all(Array.from({ length: 50 }, () => api('POST', '/v1/hosts/host-005/power', { action: 'on', reason: 'load' })));
    const accepted = all.filter((r) => r.status === 202);
    const busy = all.filter((r) => r.status === 409);
    expect(accepted).toHaveLength(1);
    expect(busy).toHaveLength(49);
    const id = (accepted[0].json.operation as { id: string }).id;
    for (const x of busy) expect(x.json.error).toMatchObject({ code: 'busy', operation: id });
    await waitForOperation(id);
    expect(b.host.controlCounts.on).toBe(ons + 1);
    const actions = (await runner.store.listAudit(today())).filter((a) => a.operationId === id).map((a) => a.action);
    expect(actions.filter((a) => !a.startsWith('step '))).toEqual(['power on requested', 'power on']);
    expect(actions.filter((a) => a.startsWith('step ')).sort()).toEqual(['step check host-005', 'step command host-005', 'step confirm host-005', 'step release'].sort());
  });

  it('an Idempotency-Key again with the same body finds the first operation; with another body it is a 422 and starts nothing', async () => {
    const key = `idem-${Date.now()}`;
    const send = (body: unknown) => fetch(`${runner.url}/v1/hosts/host-005/power`, { method: 'POST', headers: { 'idempotency-key': key }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as Json }));
    const first = await send({ action: 'on', reason: 'idempotency' });
    expect(first.status).toBe(202);
    const id = (first.json.operation as { id: string }).id;
    const again = await send({ action: 'on', reason: 'idempotency' });
    expect((again.json.operation as { id: string }).id).toBe(id);
    const before = (await runner.store.listOperations(runner.poolId)).length;
    const other = await send({ action: 'on', reason: 'something else' });
    expect(other.status).toBe(422);
    expect(other.json.error).toMatchObject({ code: 'idempotency_key_reused', operation: id });
    expect((await runner.store.listOperations(runner.poolId)).length).toBe(before);
    await waitForOperation(id);
  });

  it('the morning-wake schedule fires: every host back on and enabled, each step once in the audit', async () => {
    await runner.fire('morning-wake');
    for (const b of runner.fleet.bmcs) {
      expect(b.host.powerOn, b.name).toBe(true);
      expect(runner.xapi.state.hostMetrics(b.name).live, b.name).toBe(true);
      expect(runner.xapi.state.host(b.name).enabled, b.name).toBe(true);
    }
    const mine = (await runner.store.listAudit(today())).filter((a) => a.actor === 'schedule:morning-wake');
    const opId = mine.find((a) => a.action === 'wake pool requested')?.operationId as string;
    const op = await runner.store.getOperation(opId);
    expect(op?.state).toBe('succeeded');
    const steps = mine.filter((a) => a.operationId === opId && a.action.startsWith('step ')).map((a) => a.action);
    expect(steps.length).toBe(op?.steps.length);
    expect(new Set(steps).size).toBe(steps.length);
  }, 60_000);

  it('the night-sleep schedule fires: the hosts the plan allows are drained and off', async () => {
    await runner.fire('night-sleep');
    for (const h of ['host-004', 'host-005', 'host-006']) expect(bmc(h).host.powerOn, h).toBe(false);
    for (const h of ['host-001', 'host-002', 'host-003']) expect(bmc(h).host.powerOn, h).toBe(true);
    // The night report reached the channel, marked as planned.
    expect(channel.filter((m) => /Night of .*pool-1: 3 hosts asleep/.test(m) && /planned: nightly sleep/.test(m)).length).toBeGreaterThan(0);
    const energy = await api('GET', `/v1/pools/${runner.poolId}/energy`);
    expect((energy.json.asleepNow as unknown[]).length).toBe(3);
    await runner.fire('morning-wake');
    const after = await api('GET', `/v1/pools/${runner.poolId}/energy`);
    expect((after.json.nights as Array<{ hosts: number }>).reduce((a, n) => a + n.hosts, 0)).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('schedules live in the store: skip tonight and hold awake are honoured when the schedule fires', async () => {
    const skip = await api('POST', '/v1/schedules/night-sleep/skip', { reason: 'inventory tonight' });
    expect(skip.status).toBe(200);
    const skipped = (skip.json.schedule as { exceptions: { skipOnce: { date: string } } }).exceptions.skipOnce.date;
    expect((await runner.store.getSchedule(runner.poolId, 'night-sleep'))?.exceptions).toMatchObject({ skipOnce: { date: skipped } });
    const next = new Date((skip.json.schedule as { nextFire: string }).nextFire);
    const fire = (at: Date) => onScheduleFired({ ...runner.ops, secrets: new FileSecrets('/nonexistent') }, { poolId: runner.poolId, scheduleName: 'night-sleep', at });
    expect(await fire(next)).toMatchObject({ ran: false, reason: 'skip-once' });
    const hold = await api('POST', `/v1/pools/${runner.poolId}/hold`, { until: new Date(next.getTime() + 86_400_000 * 2).toISOString(), reason: 'release weekend' });
    expect(hold.json).toMatchObject({ held: ['night-sleep'] });
    expect(await fire(new Date(next.getTime() + 86_400_000))).toMatchObject({ ran: false, reason: 'held-awake' });
    for (const b of runner.fleet.bmcs) expect(b.host.powerOn).toBe(true);
    const audit = await runner.store.listAudit(today());
    expect(audit.filter((a) => a.action === 'sleep not run').map((a) => a.message?.split(':')[0])).toEqual(['skip-once', 'held-awake']);
    expect((await api('PATCH', '/v1/schedules/night-sleep', { exceptions: {} })).status).toBe(200);
  });

  it('schedules: invalid expressions are a 400 naming the field; create and delete work', async () => {
    const bad = await api('POST', '/v1/schedules', { name: 'bad', action: 'power-off', expression: 'cron(0 25 * * ? *)', timezone: 'UTC' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'invalid_schedule', field: 'expression' });
    const zone = await api('POST', '/v1/schedules', { name: 'bad2', action: 'power-off', expression: 'cron(0 22 ? * MON-FRI *)', timezone: 'Mars/Olympus' });
    expect(zone.json.error).toMatchObject({ field: 'timezone' });
    const ok = await api('POST', '/v1/schedules', { name: 'weekend-off', hostIds: ['host-003'], action: 'power-off', expression: 'cron(0 20 ? * SAT *)', timezone: 'Europe/Berlin' });
    expect(ok.status).toBe(201);
    expect(JSON.stringify((await api('GET', '/v1/schedules')).json)).toContain('weekend-off');
    expect((await api('DELETE', '/v1/schedules/weekend-off')).status).toBe(200);
    expect((await api('DELETE', '/v1/schedules/weekend-off')).status).toBe(404);
  });

  it('roles: a viewer key reads but changes nothing; an unknown key is refused', async () => {
    const viewer = runner.apiKeys.viewer;
    expect((await api('GET', '/v1/me', undefined, viewer)).json).toEqual({ actor: 'key:local viewer', role: 'viewer' });
    expect((await api('GET', '/v1/hosts', undefined, viewer)).status).toBe(200);
    const refused = await api('POST', '/v1/hosts/host-006/power', { action: 'off', reason: 'x' }, viewer);
    expect(refused.status).toBe(403);
    expect((await api('POST', `/v1/pools/${runner.poolId}/sleep`, { reason: 'x' }, runner.apiKeys.operator)).status).not.toBe(403);
    await runner.idle();
    await runner.fire('morning-wake');
    expect((await api('POST', '/v1/schedules', { name: 'x', action: 'sleep', expression: 'cron(0 1 * * ? *)' }, viewer)).status).toBe(403);
    // Inventory and credentials are the admin's.
    expect((await api('POST', '/v1/hosts', { id: 'h9', bmcAddress: '127.0.0.1', bmcUser: 'admin', bmcPassword: 'pw' }, runner.apiKeys.operator)).status).toBe(403);
    expect((await api('GET', '/v1/hosts', undefined, 'lp_nope')).status).toBe(401);
  }, 60_000);

  it('live BMC reads: sensors with thresholds and the event log', async () => {
    const s = await api('GET', '/v1/hosts/host-002/sensors');
    expect(s.status).toBe(200);
    const cpu = (s.json.sensors as Array<{ name: string; unit: string; thresholds: Record<string, number> }>).find((x) => /CPU1/i.test(x.name));
    expect(cpu?.thresholds.ucr).toBeGreaterThan(50);
    const sel = await api('GET', '/v1/hosts/host-004/sel');
    expect(sel.status).toBe(200);
    expect((sel.json.entries as unknown[]).length).toBeGreaterThan(0);
  });

  it('a signed Slack command is answered; forged, replayed and stale ones are 401 and start nothing', async () => {
    const body = new URLSearchParams({ command: '/lowpower', text: `plan ${runner.poolId}`, user_id: 'ULOCALADMIN', user_name: 'admin', response_url: 'http://127.0.0.1:1/none', team_id: 'T1', channel_id: 'C1' }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const post = (sig: string) => fetch(`${runner.url}/slack/commands`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig }, body });
    const good = await post(signSlackRequest(runner.slackSigningSecret, body, Number(ts)));
    expect(good.status).toBe(200);
    expect(JSON.stringify(await good.json())).toMatch(/host-00[456]/);
    const before = (await runner.store.listOperations(runner.poolId)).length;
    const forged = await post(signSlackRequest('not-the-secret', body, Number(ts)));
    expect(forged.status).toBe(401);
    const replay = await post(signSlackRequest(runner.slackSigningSecret, body, Number(ts)));
    expect(replay.status).toBe(401);
    // Stale: correctly signed, but 301 s old.
    const old = String(Number(ts) - 301);
    const stale = await fetch(`${runner.url}/slack/commands`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': old, 'x-slack-signature': signSlackRequest(runner.slackSigningSecret, body, Number(old)) }, body });
    expect(stale.status).toBe(401);
    expect((await runner.store.listOperations(runner.poolId)).length).toBe(before);
  });

  it('inventory: add a host (its password to the secret store), change it, read its readings, remove it', async () => {
    const pw = 'Inventory-Pass-42';
    // One BMC serves one host: host-006's BMC address given to a new host is refused, naming it.
    const taken = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'host-new', bmcAddress: '127.0.0.1', bmcPort: runner.fleet.bmcs[5].port, bmcUser: 'admin', bmcPassword: pw }, runner.apiKeys.admin);
    expect(taken.status).toBe(409);
    expect(taken.json.error).toMatchObject({ code: 'bmc_taken', host: 'host-006' });
    // ... and so is the same BMC (host-003's GUID and serials) answering on another port.
    const twin = await startSim({ name: 'twin', adminPassword: pw, identity: simIdentityFor('host-003') });
    const newBmc = await startSim({ name: 'host-new', adminPassword: pw });
    try {
      const same = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'host-twin', bmcAddress: '127.0.0.1', bmcPort: twin.port, bmcUser: 'admin', bmcPassword: pw }, runner.apiKeys.admin);
      expect(same.status).toBe(409);
      expect(same.json.error).toMatchObject({ code: 'bmc_taken', host: 'host-003' });
      expect(await runner.store.getHost(runner.poolId, 'host-twin')).toBeUndefined();
    } finally {
      await twin.stop();
    }
    const add = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'host-new', bmcAddress: '127.0.0.1', bmcPort: newBmc.port, bmcUser: 'admin', bmcPassword: pw, neverSleep: true }, runner.apiKeys.admin);
    expect(add.status).toBe(201);
    // XAPI has no host-new: nothing proves whose BMC this is, and the answer says so.
    expect(add.json.host).toMatchObject({ binding: { state: 'unverified', bmc: { productSerial: 'LPSIM-host-new' } } });
    expect(String((add.json.host as { binding: { why: string } }).binding.why)).toMatch(/XAPI knows no host named host-new/);
    const stored = await runner.store.getHost(runner.poolId, 'host-new');
    expect(stored).toMatchObject({ secretRef: `bmc.${runner.poolId}.host-new`, neverSleep: true });
    expect(JSON.stringify(stored)).not.toContain(pw);
    expect((await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'host-new', bmcAddress: 'x', bmcUser: 'a', bmcPassword: 'b' })).status).toBe(409);
    const bad = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'h x', bmcAddress: 'x', bmcUser: 'a', bmcPassword: 'b' });
    expect(bad.json.error).toMatchObject({ code: 'invalid_host', field: 'id' });
    expect((await api('PATCH', '/v1/hosts/host-new', { bmcPort: 70000 })).json.error).toMatchObject({ field: 'bmcPort' });
    expect((await api('PATCH', '/v1/hosts/host-new', { neverSleep: false })).json.host).toBeDefined();
    expect((await runner.store.getHost(runner.poolId, 'host-new'))?.neverSleep).toBe(false);
    const readings = await api('GET', `/v1/hosts/host-002/readings?since=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`);
    expect(readings.status).toBe(200);
    expect((readings.json.readings as unknown[]).length).toBeGreaterThan(0);
    expect((await api('GET', '/v1/hosts/host-002/readings?since=yesterday')).json.error).toMatchObject({ code: 'invalid_time', field: 'since' });
    expect((await api('DELETE', '/v1/hosts/host-new')).status).toBe(200);
    await newBmc.stop();
    // Pools: the XAPI password goes to the secret store; a bad policy is a 400 naming the field.
    const pool = await api('POST', '/v1/pools', { id: 'pool-2', xapiUrl: 'https://pool-2.example.invalid', xapiPassword: pw, policy: { headroomPercent: 15 } });
    expect(pool.status).toBe(201);
    expect(JSON.stringify(await runner.store.getPool('pool-2'))).not.toContain(pw);
    expect((await api('PATCH', '/v1/pools/pool-2', { policy: { headroomPercent: 120 } })).json.error).toMatchObject({ field: 'policy.headroomPercent' });
    expect((await api('PATCH', '/v1/pools/pool-2', { policy: { sleepEverything: true } })).json.error).toMatchObject({ field: 'policy.sleepEverything' });
    expect((await api('PATCH', '/v1/pools/pool-2', { policy: { minHostsOn: 2 } })).json.pool).toMatchObject({ policy: { headroomPercent: 15, minHostsOn: 2 } });
    expect((await api('POST', '/v1/pools', { id: 'pool-3', xapiUrl: 'ftp://x', xapiPassword: 'p' })).json.error).toMatchObject({ field: 'xapiUrl' });
    expect(await runner.store.getHost(runner.poolId, 'host-new')).toBeUndefined();
    const audit = JSON.stringify(await runner.store.listAudit(today()));
    expect(audit).toContain('add host');
    expect(audit).not.toContain(pw);
  });

  it('cancel: a sleep cancelled mid-way leaves every host on and enabled, VMs running, locks released', async () => {
    const r = await api('POST', `/v1/pools/${runner.poolId}/sleep`, { reason: 'to be cancelled' });
    const id = (r.json.operation as { id: string }).id;
    const c = await api('POST', `/v1/operations/${id}/cancel`, { reason: 'changed my mind' });
    expect(c.status).toBe(202);
    const op = await waitForOperation(id);
    expect(op.state).toBe('cancelled');
    for (const b of runner.fleet.bmcs) {
      if (!b.host.powerOn) continue;
      expect(runner.xapi.state.host(b.name).enabled, b.name).toBe(true);
    }
    for (const vm of runner.xapi.state.guests()) expect(vm.power_state, vm.name_label).toBe('Running');
    for (const h of await runner.store.listHosts(runner.poolId)) expect(h.lockOperationId === id && (h.lockExpiresAt ?? 0) > Date.now()).toBe(false);
    expect((await api('POST', `/v1/operations/${id}/cancel`, { reason: 'again' })).json.error).toMatchObject({ code: 'finished' });
    await runner.fire('morning-wake');
  }, 60_000);

  it('every Slack command answers from the local runner; disruptive ones ask first, and a confirm click starts the work', async () => {
    const post = async (path: string, fields: Record<string, string>) => {
      const body = new URLSearchParams(fields).toString();
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${runner.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(runner.slackSigningSecret, body, ts) },
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    // Each request carries its own trigger id, as Slack's do: two identical bodies in one second would be a replay.
    let trigger = 0;
    const command = (text: string) => post('/slack/commands', { command: '/lowpower', text, user_id: 'ULOCALADMIN', user_name: 'admin', response_url: 'http://127.0.0.1:1/none', team_id: 'T1', channel_id: 'C1', trigger_id: `t-${Date.now()}-${++trigger}` });
    const reads: Array<[string, RegExp]> = [
      ['help', /status/],
      ['status', /pool-1/],
      [`status ${runner.poolId}`, /host-00[1-6]/],
      ['status host-002', /host-002/],
      ['sensors host-002', /CPU1/i],
      [`plan ${runner.poolId}`, /host-00[456]/],
      [`schedule list ${runner.poolId}`, /night-sleep/],
      [`skip-tonight ${runner.poolId}`, /skip/i],
      [`hold ${runner.poolId} until 08:00`, /08:00/],
    ];
    for (const [text, want] of reads) {
      const r = await command(text);
      expect(r.status, text).toBe(200);
      expect(r.text, text).toMatch(want);
      expect(r.text, text).not.toMatch(/:warning:.*(did not|failed|error)/i);
    }
    const ops = (await runner.store.listOperations(runner.poolId)).length;
    let confirm: { text: string } | undefined;
    for (const text of ['on host-006', 'off host-006', 'soft host-006', 'cycle host-006', `sleep ${runner.poolId}`]) {
      const r = await command(text);
      expect(r.status, text).toBe(200);
      expect(r.text, text).toMatch(/Confirm/);
      if (text === `sleep ${runner.poolId}`) confirm = r;
    }
    // Nothing is asleep now: wake says so instead of asking.
    expect((await command(`wake ${runner.poolId}`)).text).toMatch(/nothing to wake/);
    // Asking changed nothing.
    expect((await runner.store.listOperations(runner.poolId)).length).toBe(ops);
    // The click on "sleep": an interaction payload with the button's value.
    const blocks = (JSON.parse(confirm!.text) as { blocks: Array<{ elements?: Array<{ action_id?: string; value?: string }> }> }).blocks;
    const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.value && /confirm/i.test(e.action_id ?? ''));
    expect(button).toBeDefined();
    const payload = { type: 'block_actions', user: { id: 'ULOCALADMIN', username: 'admin' }, team: { id: 'T1' }, channel: { id: 'C1' }, container: { message_ts: '1.2' }, response_url: 'http://127.0.0.1:1/none', actions: [{ action_id: button!.action_id, value: button!.value }] };
    const click = await post('/slack/interactions', { payload: JSON.stringify(payload) });
    expect(click.status).toBe(200);
    for (let i = 0; i < 50 && (await runner.store.listOperations(runner.poolId)).length === ops; i++) await new Promise((r) => setTimeout(r, 100));
    const started = (await runner.store.listOperations(runner.poolId))[0];
    expect(started.kind).toBe('pool-sleep');
    expect(started.source).toBe('slack');
    expect(started.actor).toBe('slack:admin');
    await runner.idle();
    await runner.fire('morning-wake');
    await api('PATCH', '/v1/schedules/night-sleep', { exceptions: {} });
  }, 60_000);

  it('every documented route answers against the runner (no 5xx, none unrouted)', async () => {
    const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const opId = (await runner.store.listOperations(runner.poolId))[0].operationId;
    const fill = (path: string): string =>
      path.replace('{id}', path.startsWith('/v1/pools') ? runner.poolId : path.startsWith('/v1/operations') ? opId : 'host-002').replace('{name}', 'poll');
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        // Bodies that are valid where it is harmless, and a missing reason where it would act.
        const body = method === 'get' || method === 'delete' ? undefined : { dryRun: true };
        const target = method === 'delete' ? fill(path).replace('host-002', 'no-such-host').replace('/poll', '/no-such-schedule') : fill(path);
        const r = await api(method.toUpperCase(), `${target}${path.startsWith('/v1/schedules') || path === '/v1/operations' || path === '/v1/alerts' ? `?pool=${runner.poolId}` : ''}`, body);
        expect(r.status, `${method} ${path}`).toBeLessThan(500);
        expect((r.json.error as { code?: string } | undefined)?.code ?? 'none', `${method} ${path}`).not.toMatch(/^(not_found|method_not_allowed)$/);
      }
    }
  }, 60_000);

  it('bad requests are clear 4xx answers and change nothing', async () => {
    expect((await api('POST', '/v1/hosts/nope/power', { action: 'off', reason: 'x' })).status).toBe(404);
    expect((await api('POST', '/v1/hosts/host-001/power', { action: 'explode', reason: 'x' })).json.error).toMatchObject({ code: 'bad_action' });
    expect((await api('POST', '/v1/hosts/host-001/power', { action: 'on' })).json.error).toMatchObject({ code: 'reason_required' });
    expect((await api('POST', `/v1/pools/${runner.poolId}/sleep`, { reason: 'x', dryRun: 'yes' })).json.error).toMatchObject({ code: 'bad_dry_run' });
    expect((await api('GET', '/v1/pools/nope')).status).toBe(404);
    expect((await api('GET', '/v1/operations/does-not-exist')).status).toBe(404);
    expect((await api('PUT', '/v1/hosts/host-001')).json.error).toMatchObject({ code: 'method_not_allowed' });
    const res = await fetch(`${runner.url}/v1/hosts/host-001/power`, { method: 'POST', body: '{not json' });
    expect(res.status).toBe(400);
  });
});
