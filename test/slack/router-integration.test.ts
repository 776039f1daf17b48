/**
 * The Slack side against the real API router and a real store (dynalite): what Slack asks ends
 * up as the same store writes an API call makes, and replays still end at the door.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleApiRequest, type ApiContext } from '../../lib/api/router.ts';
import { POOL_ROUTES } from '../../lib/api/pool-routes.ts';
import type { OpsDeps } from '../../lib/ops/ops-deps.ts';
import type { PowerDriver } from '../../lib/ops/power-driver.ts';
import { ScheduleService } from '../../lib/schedules/service.ts';
import { createStore, type Store } from '../../lib/store/index.ts';
import { CONFIRM_ACTION, dynamoReplayGuard, handleSlackCommand, handleSlackInteraction, type SlackMessage } from '../../lib/slack/index.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { NOW_MS, allText, blockActions, commandBody, interactionBody, recordingApi, signed, slackDeps, startCapture, type CaptureServer, type RecordingApi } from './support.ts';

let db: DynamoFixture;
let store: Store;
let capture: CaptureServer;
let rec: RecordingApi;
const launched: string[] = [];

// No BMC is touched here: operations are created, not run.
const noDriver = new Proxy({}, { get: () => () => Promise.reject(new Error('no BMC in this test')) }) as PowerDriver;

beforeAll(async () => {
  db = await startDynalite();
  capture = await startCapture();
  store = createStore({ client: db.client, tableName: db.tableName, clock: () => new Date(NOW_MS) });
  const schedules = new ScheduleService(store, { upsert: async () => {}, remove: async () => {} }, { now: () => NOW_MS });
  const ops: OpsDeps = { store, driver: noDriver, now: () => NOW_MS };
  const ctx: ApiContext = { store, ops, schedules, launch: async (id) => void launched.push(id), routes: POOL_ROUTES, now: () => NOW_MS };
  rec = recordingApi((req) => handleApiRequest(ctx, req));

  await store.createPool({ poolId: 'pool-1', xapiUrl: 'https://pool-1.invalid', secretRef: 'xapi' });
  for (const [hostId, power, isMaster] of [['h1', 'on', true], ['h2', 'on', false], ['h3', 'off', false]] as const) {
    // No BMC runs in this test: the binding is a trusted unverified one, as an admin would leave it.
    const binding = { state: 'unverified' as const, why: 'test fixture: no BMC to read', checkedAt: new Date(NOW_MS).toISOString(), bmcAt: '127.0.0.1:623', bmc: { protocol: 'ipmi' as const }, xapi: {} };
    await store.createHost({ poolId: 'pool-1', hostId, bmcAddress: '127.0.0.1', bmcPort: 623, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power, isMaster, xenState: power === 'on' ? 'enabled' : 'halted', binding, identity: 'trust' });
  }
  await store.putReading({ hostId: 'h1', poolId: 'pool-1', at: new Date(NOW_MS - 60_000).toISOString(), power: 'on', powerWatts: 230, temperatures: [{ name: 'CPU1 Temp', celsius: 67 }, { name: 'Inlet Temp', celsius: 23 }] });
  await schedules.create({ name: 'nightly', poolId: 'pool-1', action: 'sleep', expression: 'cron(0 22 * * ? *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {} });
  await schedules.create({ name: 'morning', poolId: 'pool-1', action: 'wake', expression: 'cron(0 6 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {} });
});
afterAll(async () => {
  await capture?.stop();
  await db?.stop();
});

let tick = 0;
/** Each request a second later than the last, as Slack would send them. */
const later = (): number => NOW_MS + ++tick * 1000;

describe('Slack through the real router', () => {
  it('status and sensors read the store through the API', async () => {
    const deps = slackDeps(rec.api);
    const status = await handleSlackCommand(deps, signed(commandBody('status')), later());
    expect(allText(status.body)).toMatch(/h1\s+on\s+enabled\s+67 °C\s+230 W\s+master/);
    expect(allText(status.body)).toMatch(/h3\s+off\s+halted/);
    const sensors = await handleSlackCommand(deps, signed(commandBody('sensors h1')), later());
    expect(allText(sensors.body)).toMatch(/CPU1 Temp\s+67/);
  });

  it('schedule list shows both schedules with their next local run', async () => {
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('schedule list pool-1')), later());
    const text = allText(out.body);
    expect(text).toMatch(/nightly\s+sleep\s+cron\(0 22 \* \* \? \*\)\s+Europe\/Berlin\s+yes\s+2025-01-15 22:00/);
    expect(text).toMatch(/morning\s+wake/);
  });

  it('a viewer cannot skip tonight: the router says so and nothing changes', async () => {
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('skip-tonight pool-1', { user_id: 'U_BOB', user_name: 'bob' })), later());
    expect(allText(out.body)).toMatch(/failed\s+POST \/v1\/schedules\/nightly\/skip needs the operator role/);
    expect((await store.getSchedule('pool-1', 'nightly'))?.exceptions).toEqual({});
  });

  it('skip-tonight skips the next run of the sleep schedule only, with the Slack user in the audit', async () => {
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('skip-tonight pool-1')), later());
    expect(allText(out.body)).toContain('next run on 2025-01-15 will not run');
    expect((await store.getSchedule('pool-1', 'nightly'))?.exceptions).toMatchObject({ skipOnce: { date: '2025-01-15' } });
    expect((await store.getSchedule('pool-1', 'morning'))?.exceptions).toEqual({});
    const audit = await store.listAudit('2025-01-15');
    expect(audit.find((a) => a.action === 'skip next run of nightly')).toMatchObject({ actor: 'slack:alice', reason: 'slack: alice: skip-tonight pool-1' });
  });

  it('hold until 08:00 holds the pool until the next 08:00 in the schedules’ zone', async () => {
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('hold pool-1 until 08:00')), later());
    expect(allText(out.body)).toContain('held awake until 2025-01-16 08:00 Europe/Berlin');
    expect((await store.getSchedule('pool-1', 'nightly'))?.exceptions).toMatchObject({ holdAwakeUntil: { until: '2025-01-16T07:00:00.000Z' } });
  });

  it('off: asks, then one click makes one operation as the Slack user; a second click finds it; a replay is refused', async () => {
    const deps = { ...slackDeps(rec.api), replay: dynamoReplayGuard({ client: db.client, tableName: db.tableName }) };
    const asked = await handleSlackCommand(deps, signed(commandBody('off h2')), later());
    let value = '';
    for (const b of (asked.body as SlackMessage).blocks ?? []) if (b.type === 'actions') value = b.elements[0].value ?? '';
    expect(value).not.toBe('');
    expect(launched).toHaveLength(0);

    const responseUrl = capture.url('/it-click');
    const click = signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl, actionTs: 'a1' })));
    const out = await handleSlackInteraction(deps, click, later());
    await out.after?.();
    expect(launched).toHaveLength(1);
    const op = await store.getOperation(launched[0]);
    expect(op).toMatchObject({ kind: 'host-power', poolId: 'pool-1', hostIds: ['h2'], actor: 'slack:alice', reason: 'slack: alice: off h2', state: 'pending' });
    expect(capture.posts.at(-1)?.body.text).toContain(`operation \`${launched[0]}\``);
    expect((await store.getHost('pool-1', 'h2'))?.lockOperationId).toBe(launched[0]);

    // Replayed: refused at the door (DynamoDB guard), no second API call.
    const calls = rec.calls.length;
    expect((await handleSlackInteraction(deps, click, later())).status).toBe(401);
    expect(rec.calls.length).toBe(calls);

    // Clicked again (a new, validly signed request): the same operation, not a second one.
    const again = await handleSlackInteraction(deps, signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl, actionTs: 'a2' }))), later());
    await again.after?.();
    expect(launched).toHaveLength(1);
    expect(capture.posts.at(-1)?.body.text).toContain(`operation \`${launched[0]}\``);

    // And `op ID` reads it back.
    const status = await handleSlackCommand(deps, signed(commandBody(`op ${launched[0]}`)), later());
    expect(allText(status.body)).toContain(`Operation ${launched[0]} (host-power, pending)`);
  });
});
