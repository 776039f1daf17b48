/**
 * A password changed with a record that another request changed first, through the real router
 * on a real store (dynalite) and the file secret store: the request is refused with 409 (the
 * store's version conflict, not an internal error), and the secret is as it was before the request.
 * The racing writer is a real second write of the record, made between the route's read and its own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleApiRequest, type ApiContext } from '../../lib/api/router.ts';
import { POOL_ROUTES } from '../../lib/api/pool-routes.ts';
import { createStore, FileSecrets, type Store } from '../../lib/store/index.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';

const POOL = 'sw';
let db: DynamoFixture;
let store: Store;
let secrets: FileSecrets;
/** Set by a test: runs once, right before the route's versioned write. */
let racer: (() => Promise<void>) | undefined;

beforeAll(async () => {
  db = await startDynalite();
  const real = createStore({ client: db.client, tableName: db.tableName });
  const race = async (): Promise<void> => {
    const r = racer;
    racer = undefined;
    await r?.();
  };
  store = {
    ...real,
    updatePool: async (...a: Parameters<Store['updatePool']>) => (await race(), real.updatePool(...a)),
    updateHost: async (...a: Parameters<Store['updateHost']>) => (await race(), real.updateHost(...a)),
  };
  secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-secret-writes-')));
  await secrets.put('xapi.sw', 'old-xapi-pw');
  await secrets.put('bmc.sw.h1', 'old-bmc-pw');
  await real.createPool({ poolId: POOL, xapiUrl: 'https://sw.invalid', xapiUser: 'root', secretRef: 'xapi.sw' });
  await real.createHost({ poolId: POOL, hostId: 'h1', bmcAddress: '127.0.0.1', bmcPort: 623, bmcUser: 'admin', secretRef: 'bmc.sw.h1', cipherSuite: 17, power: 'on', sleepState: 'awake' });
}, 60_000);
afterAll(async () => db?.stop());

const ctx = (): ApiContext => ({ store, ops: { store } as ApiContext['ops'], schedules: undefined as never, launch: async () => undefined, routes: POOL_ROUTES, secrets, checkResponses: true });
const call = (method: string, path: string, body: unknown) => {
  const url = new URL(path, 'http://x');
  return handleApiRequest(ctx(), { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: {}, body, actor: 'tester', role: 'admin' });
};

describe('a password change that loses a race', () => {
  it('PATCH of a pool: 409, and the XAPI password is the one before', async () => {
    racer = async () => {
      const p = await store.getPool(POOL);
      await store.updatePool(POOL, p?.version ?? 0, { name: 'renamed meanwhile' });
    };
    const res = await call('PATCH', `/v1/pools/${POOL}`, { xapiUser: 'admin', xapiPassword: 'new-xapi-pw' });
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(await secrets.get('xapi.sw')).toBe('old-xapi-pw');
    expect((await store.getPool(POOL))?.xapiUser).toBe('root');
    // Without a race the same request goes through, password and all.
    expect((await call('PATCH', `/v1/pools/${POOL}`, { xapiUser: 'admin', xapiPassword: 'new-xapi-pw' })).status).toBe(200);
    expect(await secrets.get('xapi.sw')).toBe('new-xapi-pw');
  });

  it('the request that won the race keeps its password: the loser puts back only its own', async () => {
    await secrets.put('xapi.sw', 'before-pw');
    // B reads, puts its password and writes the pool between A's put and A's write: B won.
    racer = async () => {
      await secrets.put('xapi.sw', 'winner-pw');
      const p = await store.getPool(POOL);
      await store.updatePool(POOL, p?.version ?? 0, { xapiUser: 'b-user' });
    };
    const res = await call('PATCH', `/v1/pools/${POOL}`, { xapiUser: 'a-user', xapiPassword: 'loser-pw' });
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(await secrets.get('xapi.sw')).toBe('winner-pw');
    expect((await store.getPool(POOL))?.xapiUser).toBe('b-user');
  });

  it('PATCH of a host: 409, and the BMC password is the one before', async () => {
    racer = async () => {
      const h = await store.getHost(POOL, 'h1');
      await store.updateHost(POOL, 'h1', h?.version ?? 0, { neverSleep: true });
    };
    const res = await call('PATCH', `/v1/hosts/h1?pool=${POOL}`, { neverSleep: false, bmcPassword: 'new-bmc-pw' });
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(await secrets.get('bmc.sw.h1')).toBe('old-bmc-pw');
  });
});
