/**
 * Issue 17's acceptance on the local runner. Started with --no-pool, its simulators run and the
 * store is empty; the import command it prints proposes the six hosts matched by serial, a BMC
 * started beside them with another serial as no-host, a host whose BMC is silent as no-bmc; without
 * --dry-run the hosts are added bound, the by-hand line adds one it missed, and running it again
 * changes nothing. On a normal runner (pool added at start) the same import finds every host
 * already bound. No password in any answer, log line, CLI output or record.
 */
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { importBody as cliImportBody, importCommand } from '../../lib/cli/pool-import-command.ts';
import { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';
import { FAST_TIMINGS } from '../../lib/sim/ipmi/host-model.ts';
import { simIdentityFor } from '../../lib/sim/ipmi/identity.ts';
import { cli, freePort } from '../support/peers.ts';

type Json = Record<string, unknown>;
interface Row {
  host: string | null;
  bmc: string | null;
  protocol: string | null;
  match: string;
  write: string;
  byHand: string | null;
}
interface Answer {
  rows: Row[];
  counts: Record<string, number>;
  changes: Array<{ what: string; id: string; change: string }>;
  pool: { existed: boolean; note: string | null };
  dryRun: boolean;
  summary: string;
}

const today = (): string => new Date().toISOString().slice(0, 10);
const table = (a: Answer): string[] => a.rows.map((r) => `${r.host ?? '-'} ${r.match}`);
const six = ['host-001', 'host-002', 'host-003', 'host-004', 'host-005', 'host-006'];

async function call(runner: LocalRunner, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${runner.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
}

describe('pool import on a --no-pool runner', () => {
  let runner: LocalRunner;
  let base: number;
  let spare: SimulatedBmc;
  let xapiPassword: string;
  const lines: string[] = [];
  const seen: string[] = [];
  const importBody = (o: Json = {}): Json => ({ xapi: { url: runner.xapi.url, user: 'root', password: xapiPassword }, bmcRange: `127.0.0.1:${base}-${base + 10}`, bmcUser: 'admin', bmcPassword: runner.fleet.password, ...o });
  const runImport = async (o: Json): Promise<Answer> => {
    const { status, json } = await call(runner, 'POST', `/v1/pools/${runner.poolId}/import`, importBody(o));
    seen.push(JSON.stringify(json));
    expect(status, JSON.stringify(json)).toBe(200);
    return json as unknown as Answer;
  };

  beforeAll(async () => {
    base = (await freePort()) - 10;
    runner = await startLocalRunner({ port: 0, bmcBasePort: base, noPool: true, log: (l) => lines.push(l), notifier: async () => undefined });
    xapiPassword = readFileSync(runner.passwordFiles?.xapi as string, 'utf8').trim();
    // One more BMC in the range, of a machine that is no host of the pool.
    spare = new SimulatedBmc({ name: 'spare', port: base + 8, identity: simIdentityFor('spare-machine'), adminPassword: runner.fleet.password, host: { timings: FAST_TIMINGS } });
    await spare.start();
  }, 60_000);
  afterAll(async () => {
    await spare?.stop();
    await runner?.stop();
  });

  it('starts with the simulators and an empty store, and prints the import command', async () => {
    expect(runner.noPool).toBe(true);
    expect(await runner.store.listPools()).toEqual([]);
    expect(await runner.store.listHosts(runner.poolId)).toEqual([]);
    expect(await runner.schedules.list(runner.poolId)).toEqual([]);
    expect([runner.scheduler.list().length, runner.scheduler.listOnce().length]).toEqual([0, 0]);
    expect((await call(runner, 'GET', '/v1/hosts')).json).toEqual({ hosts: [] });
    for (const f of [runner.passwordFiles?.xapi, runner.passwordFiles?.bmc]) expect(statSync(f as string).mode & 0o777).toBe(0o600);
    const command = importCommand(runner);
    expect(command).toBe(
      `npx lowpower pool import pool-1 --xapi ${runner.xapi.url} -U root -f ${runner.passwordFiles?.xapi} --bmc-range 127.0.0.1:${base}-${base + 10} --bmc-user admin --bmc-password-file ${runner.passwordFiles?.bmc} --url ${runner.url} --dry-run`,
    );
  });

  it('the printed command (a dry run) proposes the six hosts matched and the extra BMC as no-host, and writes nothing', async () => {
    const args = importCommand(runner).split(' ').slice(2);
    const r = await cli(args);
    seen.push(r.stdout, r.stderr);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => / \| /.test(l)).slice(1).map((l) => l.split(' | ').map((c) => c.trim()));
    expect(rows.map((c) => `${c[0]} ${c[3]}`)).toEqual([...six.map((h) => `${h} matched`), '- no-host']);
    expect(rows[0][4]).toMatch(/^add host-001 \(pool master\) with BMC 127\.0\.0\.1:\d+ over ipmi, bound$/);
    expect(rows[1][2]).toBe('redfish');
    expect(rows[6][1]).toBe(`127.0.0.1:${base + 8}`);
    expect(rows[6][4]).toMatch(/serial 'LPSIM-spare-machine' is no host of pool pool-1/);
    expect(r.stdout).toMatch(/probed 11 addresses, 7 answered as a BMC/);
    expect(r.stdout).toMatch(/dry run, nothing written; without --dry-run:\n {2}add pool pool-1/);
    expect(r.stdout).toContain(`lowpower host add HOST --pool pool-1 --bmc 127.0.0.1:${base + 8} --protocol ipmi --bmc-user USER --bmc-password-file FILE`);
    expect(await runner.store.listPools()).toEqual([]);
    expect(await runner.store.listAudit(today())).toEqual([]);
  }, 30_000);

  it('a host whose BMC is silent is no-bmc', async () => {
    runner.fleet.byName('host-003')!.silent = true;
    try {
      const a = await runImport({ dryRun: true });
      expect(table(a)).toEqual(['host-001 matched', 'host-002 matched', 'host-003 no-bmc', 'host-004 matched', 'host-005 matched', 'host-006 matched', '- no-host']);
      expect(a.rows[2].write).toBe("nothing: no BMC in the range answered with serial 'LPSIM-host-003'");
      expect(a.rows[2].byHand).toBe('lowpower host add host-003 --pool pool-1 --bmc ADDRESS[:PORT] --protocol auto --bmc-user USER --bmc-password-file FILE');
    } finally {
      runner.fleet.byName('host-003')!.silent = false;
    }
  }, 30_000);

  it('without --dry-run the matched hosts are added bound; the by-hand line adds the one missed; again, nothing changes', async () => {
    // host-003 (IPMI) and host-004 (Redfish) silent on the first run: the four others are added.
    runner.fleet.byName('host-003')!.silent = true;
    runner.fleet.byName('host-004')!.silent = true;
    let first: Answer;
    try {
      first = await runImport({});
    } finally {
      runner.fleet.byName('host-003')!.silent = false;
      runner.fleet.byName('host-004')!.silent = false;
    }
    expect(first.dryRun).toBe(false);
    expect(table(first)).toEqual(['host-001 matched', 'host-002 matched', 'host-003 no-bmc', 'host-004 no-bmc', 'host-005 matched', 'host-006 matched', '- no-host']);
    expect(first.changes.map((c) => `${c.what} ${c.id}`)).toEqual(['pool pool-1', 'schedule load', 'host host-001', 'host host-002', 'host host-005', 'host host-006']);
    // The new pool's load poll: one schedule, one timer in the runner's scheduler (the runner makes none of its own with --no-pool).
    expect((await runner.store.listSchedules(runner.poolId)).map((x) => `${x.scheduleId} ${x.action} ${x.cron} ${x.timeZone}`)).toEqual(['load poll-load rate(1 minute) UTC']);
    expect(runner.scheduler.list().map((e) => e.schedule.name)).toEqual(['pool-1.load']);
    expect(first.rows[0].write).toMatch(/^added host-001 \(pool master\)/);
    let hosts = await runner.store.listHosts(runner.poolId);
    expect(hosts.map((h) => `${h.hostId} ${h.binding?.state} ${h.bmcProtocol}`)).toEqual(['host-001 bound ipmi', 'host-002 bound redfish', 'host-005 bound ipmi', 'host-006 bound redfish']);
    expect(hosts.find((h) => h.hostId === 'host-001')?.isMaster).toBe(true);

    // The by-hand line for host-003, with its BMC filled in, adds it (bound) through POST /v1/hosts.
    const byHand = (first.rows[2].byHand as string).split(' ');
    const filled = byHand.slice(1).map((w) => (w === 'ADDRESS[:PORT]' ? `127.0.0.1:${runner.fleet.byName('host-003')!.port}` : w === 'USER' ? 'admin' : w === 'FILE' ? (runner.passwordFiles?.bmc as string) : w));
    const added = await cli([...filled, '--url', runner.url]);
    seen.push(added.stdout, added.stderr);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^added host-003 to pool pool-1: BMC 127\.0\.0\.1:\d+ over ipmi, bound \(serials match/);

    // Again: host-004 answers now and is added; the others are already bound. What changed is shown.
    const second = await runImport({});
    expect(table(second)).toEqual([...six.map((h) => `${h} ${h === 'host-004' ? 'matched' : 'already-bound'}`), '- no-host']);
    expect(second.changes.map((c) => c.change)).toEqual([expect.stringMatching(/^added host-004 with BMC 127\.0\.0\.1:\d+ over redfish, bound$/)]);
    expect(second.pool.existed).toBe(true);
    hosts = await runner.store.listHosts(runner.poolId);
    expect(hosts.map((h) => h.binding?.state)).toEqual(['bound', 'bound', 'bound', 'bound', 'bound', 'bound']);
    const h4 = hosts.find((h) => h.hostId === 'host-004');
    expect(h4?.tlsPin?.fingerprint256).toBe(runner.fleet.byName('host-004')!.fingerprint256);

    // And again: nothing changes, not even a version.
    const third = await runImport({});
    expect(third.changes).toEqual([]);
    expect(third.summary).toBe('1 no-host, 6 already-bound; nothing to change');
    expect((await runner.store.listHosts(runner.poolId)).map((h) => `${h.hostId}@${h.version}`)).toEqual(hosts.map((h) => `${h.hostId}@${h.version}`));

    // The imported pool works: its plan reads XAPI with the stored XAPI password, and sleeps some hosts.
    const plan = await call(runner, 'GET', `/v1/pools/${runner.poolId}/plan`);
    expect(plan.status).toBe(200);
    expect(((plan.json.plan as Json).sleep as string[]).length).toBeGreaterThan(0);
  }, 60_000);

  it('no password in any answer, log line, CLI output, or record of the store', async () => {
    const audit = await runner.store.listAudit(today());
    expect(audit.filter((a) => a.reason === 'import').map((a) => a.action)).toEqual(expect.arrayContaining(['add pool', 'add host', 'import pool']));
    const records = JSON.stringify([await runner.store.listPools(), await runner.store.listHosts(runner.poolId), audit]);
    for (const text of [records, lines.join('\n'), ...seen]) {
      expect(text).not.toContain(runner.fleet.password);
      expect(text).not.toContain(xapiPassword);
    }
    expect(seen.length).toBeGreaterThan(5);
  });
});

describe('pool import on a normal runner', () => {
  let runner: LocalRunner;
  beforeAll(async () => {
    runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, sampleSchedule: false, log: () => undefined, notifier: async () => undefined });
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
  });

  it('every host is already bound, and nothing is written', async () => {
    const before = await runner.store.listHosts(runner.poolId);
    const first = runner.fleet.bmcs[0].port;
    const body = { xapi: { url: runner.xapi.url }, bmcRange: `127.0.0.1:${first}-${first + 10}`, bmcUser: 'admin', bmcPassword: runner.fleet.password };
    const { status, json } = await call(runner, 'POST', `/v1/pools/${runner.poolId}/import`, body);
    expect(status, JSON.stringify(json)).toBe(200);
    const a = json as unknown as Answer;
    expect(table(a)).toEqual(six.map((h) => `${h} already-bound`));
    expect(a.rows[0].write).toBe('nothing: in the store with this BMC (bound)');
    expect(a.changes).toEqual([]);
    expect(a.pool).toEqual({ id: 'pool-1', existed: true, xapiUrl: runner.xapi.url, note: null });
    // The pool existed (this runner was started without sample schedules): the import makes no schedule for it.
    expect(await runner.store.listSchedules(runner.poolId)).toEqual([]);
    // (The runner's own sensor poll writes the hosts meanwhile: what the import would write is checked.)
    const after = await runner.store.listHosts(runner.poolId);
    expect(after.map((h) => `${h.hostId} ${h.createdAt} ${h.secretRef}`)).toEqual(before.map((h) => `${h.hostId} ${h.createdAt} bmc-admin`));
    // The run itself is audited (who probed which range); nothing was added.
    const audit = (await runner.store.listAudit(today())).filter((x) => x.reason === 'import');
    expect(audit.map((x) => `${x.action}: ${x.message}`)).toEqual([expect.stringMatching(/^import pool: 127\.0\.0\.1:\d+-\d+ \(auto\): 6 already-bound$/)]);
    // Without a key the local runner acts as admin; a viewer's key may not import.
    const viewer = await fetch(`${runner.url}/v1/pools/${runner.poolId}/import`, { method: 'POST', headers: { authorization: `Bearer ${runner.apiKeys.viewer}` }, body: JSON.stringify(body) });
    expect(viewer.status).toBe(403);
  }, 30_000);

  it('`pool import --no-load-poll` asks for no load poll; without it the body leaves the default to the API', () => {
    const flags = { bmcRange: '127.0.0.1:1-2', bmcUser: 'admin', bmcPasswordEnv: true };
    const env = { ...process.env };
    process.env.IPMI_PASSWORD = 'cli-test-password';
    try {
      expect(cliImportBody({ ...flags, noLoadPoll: true })).toMatchObject({ loadPoll: false });
      expect(cliImportBody(flags)).not.toHaveProperty('loadPoll');
    } finally {
      process.env = env;
    }
  });
});
