/**
 * A host power operation on a Redfish host, on a real store (dynalite) and our Redfish driver over
 * HTTP to the client's stateful test service on loopback: what the BMC's answer to the reset means
 * for the step. A BMC that refuses the reset (a 4xx answer) fails the command step at once with its
 * words, and the operation ends failed (the worker does not throw, no confirm wait); a reset whose
 * answer is lost after the BMC acted is left to the confirm step, which sees the host off.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedfishPowerDriver } from '../../lib/drivers/index.ts';
import { rebindHost } from '../../lib/ops/bind-host.ts';
import { requestHostPower, runHostPower } from '../../lib/ops/index.ts';
import { createStore, FileSecrets, type Store } from '../../lib/store/index.ts';
import { RedfishTestServer, TEST_PASSWORD, type TestServerOptions } from '../redfish/redfish-test-server.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';

const POOL = 'rf-cmd';
let db: DynamoFixture;
let store: Store;
let secrets: FileSecrets;
let driver: RedfishPowerDriver;
let server: RedfishTestServer | undefined;
let seq = 0;

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-rf-cmd-')));
  await secrets.put('bmc-rf', TEST_PASSWORD);
  driver = new RedfishPowerDriver(secrets, { timeoutMs: 2000, pollMs: 50 });
  await store.createPool({ poolId: POOL, xapiUrl: 'https://rf.invalid', secretRef: 'xapi' });
}, 60_000);
afterEach(async () => {
  // One BMC serves one host: the next test's service (the same machine) gets a new host.
  for (const h of await store.listHosts(POOL)) await store.deleteHost(POOL, h.hostId, h.version);
  await server?.stop();
  server = undefined;
});
afterAll(async () => {
  await driver?.close();
  await db?.stop();
});

/** A Redfish host on a fresh test service, bound (trusted: no XAPI here to compare serials with). */
async function redfishHost(o: TestServerOptions): Promise<string> {
  server = await RedfishTestServer.start(o);
  const hostId = `rf-${++seq}`;
  await store.createHost({ poolId: POOL, hostId, bmcAddress: '127.0.0.1', bmcPort: server.port, bmcUser: 'admin', secretRef: 'bmc-rf', cipherSuite: 17, power: 'unknown', identity: 'trust', bmcProtocol: 'redfish', bmcScheme: 'http' });
  await rebindHost({ store, driver }, POOL, hostId, { actor: 'tester', source: 'api', reason: 'test setup' });
  return hostId;
}

const off = async (hostId: string) => {
  const { operationId } = await requestHostPower({ store, driver, confirmMs: 60_000 }, { poolId: POOL, hostIds: [hostId], action: 'off', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
  return operationId;
};

describe('a Redfish BMC\'s answer to a power command', () => {
  it('a refused reset (HTTP 400) fails the command step at once with the BMC\'s words; the host stays on', async () => {
    // The BMC lists no reset types, and refuses ForceOff when it is asked.
    const hostId = await redfishHost({ resetTypesIn: 'none', resetTypes: ['On'] });
    const operationId = await off(hostId);
    const t0 = Date.now();
    expect(await runHostPower({ store, driver, confirmMs: 60_000 }, operationId)).toBe('failed');
    // No 60-s wait for a chassis that was never told to go off.
    expect(Date.now() - t0).toBeLessThan(20_000);
    const op = await store.getOperation(operationId);
    const command = op?.steps.find((s) => s.name === 'command');
    expect(command).toMatchObject({ state: 'failed', detail: { sent: false, refused: true } });
    expect(command?.error).toMatch(/^the BMC refused off: .*answered HTTP 400: The value 'ForceOff' for the parameter ResetType/);
    expect(op?.steps.find((s) => s.name === 'confirm')?.state).toBe('skipped');
    expect(server?.count('POST', /Actions\/ComputerSystem\.Reset/)).toBe(1);
    expect((await driver.readPower((await store.getHost(POOL, hostId))!))).toBe('on');
  });

  it('an error met after the reset went out (a read refused with 403) is not the BMC\'s no: the confirm step reads the chassis, off', async () => {
    const hostId = await redfishHost({});
    // The reset is carried out and answered; the state read after it is refused once.
    server?.failAfter(/Actions\/ComputerSystem\.Reset/, 403, 1);
    const operationId = await off(hostId);
    expect(await runHostPower({ store, driver, confirmMs: 60_000 }, operationId)).toBe('succeeded');
    const command = (await store.getOperation(operationId))?.steps.find((s) => s.name === 'command');
    expect(command).toMatchObject({ state: 'done', detail: { sent: true, answer: expect.stringMatching(/HTTP 403/) } });
    expect(server?.count('POST', /Actions\/ComputerSystem\.Reset/)).toBe(1);
    expect((await store.getHost(POOL, hostId))?.power).toBe('off');
  });

  it('a reset whose task never ends is followed for the task time only; then the confirm step reads the chassis', async () => {
    const hostId = await redfishHost({ resetAnswer: 202, taskPolls: 1_000_000 });
    const quick = new RedfishPowerDriver(secrets, { timeoutMs: 2000, pollMs: 50, taskTimeoutMs: 400 });
    try {
      const { operationId } = await requestHostPower({ store, driver: quick, confirmMs: 60_000 }, { poolId: POOL, hostIds: [hostId], action: 'off', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
      const t0 = Date.now();
      expect(await runHostPower({ store, driver: quick, confirmMs: 60_000 }, operationId)).toBe('succeeded');
      expect(Date.now() - t0).toBeLessThan(20_000);
      const command = (await store.getOperation(operationId))?.steps.find((s) => s.name === 'command');
      expect(command).toMatchObject({ state: 'done', detail: { sent: true, answer: expect.stringMatching(/task/) } });
      expect(server?.count('POST', /Actions\/ComputerSystem\.Reset/)).toBe(1);
    } finally {
      await quick.close();
    }
  });

  it('a reset whose answer is lost after the BMC acted is left to the confirm step, which sees the host off', async () => {
    const hostId = await redfishHost({});
    server?.dropAnswerTo(/Actions\/ComputerSystem\.Reset/);
    const operationId = await off(hostId);
    expect(await runHostPower({ store, driver, confirmMs: 60_000 }, operationId)).toBe('succeeded');
    const command = (await store.getOperation(operationId))?.steps.find((s) => s.name === 'command');
    expect(command).toMatchObject({ state: 'done', detail: { sent: true } });
    expect(server?.count('POST', /Actions\/ComputerSystem\.Reset/)).toBe(1);
    expect((await store.getHost(POOL, hostId))?.power).toBe('off');
  });
});
