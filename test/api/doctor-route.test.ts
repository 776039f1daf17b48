/**
 * GET /v1/doctor through the real router on a real store (dynalite): the documented answer to a
 * viewer (every answer is checked against its schema here), a pool named that does not exist, and
 * what it says of a pool with no hosts and no schedules on an API without XAPI access.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleApiRequest, type ApiContext } from '../../lib/api/router.ts';
import { hostDrivers } from '../../lib/drivers/index.ts';
import { LocalScheduler, ScheduleService, localSchedulerPort } from '../../lib/schedules/index.ts';
import { createStore, FileSecrets, type Store } from '../../lib/store/index.ts';
import type { DoctorAnswer } from '../../lib/api/schemas/doctor.ts';
import type { Role } from '../../lib/api/roles.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';

let db: DynamoFixture;
let store: Store;
let ctx: ApiContext;
const scheduler = new LocalScheduler({ handler: async () => undefined });

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-doctor-route-')));
  // No hypervisorFor: this API cannot reach XAPI.
  ctx = { store, ops: { store, driver: hostDrivers(store, secrets) }, schedules: new ScheduleService(store, localSchedulerPort(scheduler)), launch: async () => undefined, checkResponses: true };
  await store.createPool({ poolId: 'empty', xapiUrl: 'https://10.10.0.10', secretRef: 'xapi.empty' });
});
afterAll(async () => {
  scheduler.stop();
  await ctx?.ops.driver.close();
  await db?.stop();
});

const get = (path: string, role: Role = 'viewer') => {
  const url = new URL(path, 'http://x');
  return handleApiRequest(ctx, { method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: {}, body: undefined, actor: 'tester', role });
};

describe('GET /v1/doctor', () => {
  it('a viewer gets the documented answer; a pool with no hosts and no schedules, on an API without XAPI, is two warnings', async () => {
    const res = await get('/v1/doctor');
    expect(res.status).toBe(200);
    const answer = res.body as DoctorAnswer;
    expect(answer.checks).toEqual([
      { kind: 'xapi', name: 'XAPI empty', pool: 'empty', status: 'warn', detail: 'not checked: this API has no XAPI access wired (https://10.10.0.10)', fix: expect.any(String), ms: expect.any(Number) },
      { kind: 'schedule', name: 'schedules empty', pool: 'empty', status: 'warn', detail: 'no schedules: nothing puts this pool to sleep or wakes it on its own', fix: 'add them: POST /v1/schedules?pool=empty (a sleep and a wake)', ms: expect.any(Number) },
      {
        kind: 'schedule',
        name: 'load poll empty',
        pool: 'empty',
        status: 'warn',
        detail: 'no load poll (a poll-load schedule): its load is not sampled and the night watch never runs (a spike at night wakes no host)',
        fix: 'add it: POST /v1/schedules?pool=empty with {"name":"load","action":"poll-load","expression":"rate(1 minute)","timezone":"UTC"} (operator)',
        ms: expect.any(Number),
      },
    ]);
    expect(answer.summary).toEqual({ ok: 0, warn: 3, fail: 0 });
    expect(Date.parse(answer.checkedAt)).not.toBeNaN();
  });

  it('?pool= names one pool; an unknown one is a 404 unknown_pool', async () => {
    expect((await get('/v1/doctor?pool=empty')).status).toBe(200);
    const res = await get('/v1/doctor?pool=nope');
    expect(res).toMatchObject({ status: 404, body: { error: { code: 'unknown_pool', message: 'no pool nope' } } });
  });
});

describe('the doctor and the load poll', () => {
  const call = (method: 'POST' | 'PATCH', path: string, body: unknown) => {
    const url = new URL(path, 'http://x');
    return handleApiRequest(ctx, { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: {}, body, actor: 'tester', role: 'operator' });
  };
  const loadLine = async (pool: string) => (await get(`/v1/doctor?pool=${pool}`)).body as DoctorAnswer;

  it('a pool without one gets a warning whose fix, run as given, makes it; disabled, it warns again with the fix that enables it', async () => {
    await store.createPool({ poolId: 'no-watch', xapiUrl: 'https://10.10.0.11', secretRef: 'xapi.no-watch' });
    const first = await loadLine('no-watch');
    const warn = first.checks.find((c) => c.name === 'load poll no-watch');
    expect(warn).toMatchObject({ status: 'warn', detail: expect.stringContaining('the night watch never runs') });
    // The fix line is the request to send: path and JSON body.
    const m = /^add it: POST (\S+) with (\{.*\}) \(operator\)$/.exec(warn?.fix ?? '');
    expect(m).not.toBeNull();
    expect((await call('POST', m![1], JSON.parse(m![2]))).status).toBe(201);
    const fixed = await loadLine('no-watch');
    expect(fixed.checks.find((c) => c.name === 'load poll no-watch')).toBeUndefined();
    expect(fixed.checks.find((c) => c.name === 'schedule no-watch/load')).toMatchObject({ status: 'ok', detail: 'timer rate(1 minute) UTC' });

    expect((await call('PATCH', '/v1/schedules/load?pool=no-watch', { enabled: false })).status).toBe(200);
    const off = (await loadLine('no-watch')).checks.find((c) => c.name === 'load poll no-watch');
    expect(off).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^the load poll load is disabled: /), fix: 'enable it: PATCH /v1/schedules/load?pool=no-watch with {"enabled":true} (operator)' });
    expect((await call('PATCH', '/v1/schedules/load?pool=no-watch', { enabled: true })).status).toBe(200);
    expect((await loadLine('no-watch')).checks.find((c) => c.name === 'load poll no-watch')).toBeUndefined();
  });
});
