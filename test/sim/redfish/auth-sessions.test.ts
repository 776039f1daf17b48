/**
 * Who may ask what: the public resources, 401 with a Redfish error body for no or wrong
 * credentials, Basic on every resource, and sessions (login, token, logout, the limit, idle
 * expiry, a BMC that forgets them), over real HTTPS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RedfishBmc } from '../../../lib/sim/redfish/index.ts';
import { call, login, ManualClock, PASSWORD, startBmc } from './support.ts';

let bmc: RedfishBmc | undefined;
afterEach(async () => {
  await bmc?.stop();
  bmc = undefined;
});

const messageIds = (json: { error: { '@Message.ExtendedInfo': Array<{ MessageId: string }> } }): string[] => json.error['@Message.ExtendedInfo'].map((m) => m.MessageId);

describe('public resources', () => {
  it('/redfish, the service root, the OData document and $metadata answer without credentials', async () => {
    bmc = await startBmc();
    const versions = await call(bmc, 'GET', '/redfish', { basic: false });
    expect(versions.json).toEqual({ v1: '/redfish/v1/' });
    for (const path of ['/redfish/v1', '/redfish/v1/']) {
      const root = await call(bmc, 'GET', path, { basic: false });
      expect(root.status).toBe(200);
      expect(root.headers['odata-version']).toBe('4.0');
      expect(root.json).toMatchObject({ '@odata.id': '/redfish/v1/', Id: 'RootService', Systems: { '@odata.id': '/redfish/v1/Systems' }, Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } } });
      expect(root.json.UUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    const odata = await call(bmc, 'GET', '/redfish/v1/odata', { basic: false });
    expect(odata.json.value.map((v: { name: string }) => v.name)).toEqual(expect.arrayContaining(['Service', 'Systems', 'Chassis', 'Managers', 'SessionService']));
    const meta = await call(bmc, 'GET', '/redfish/v1/$metadata', { basic: false });
    expect(meta.status).toBe(200);
    expect(meta.headers['content-type']).toMatch(/^application\/xml/);
    expect(meta.text).toContain('<edmx:Reference Uri="http://redfish.dmtf.org/schemas/v1/ComputerSystem_v1.xml">');
    expect(meta.text).toContain('<edmx:Include Namespace="ComputerSystem.v1_20_0"/>');
    expect(meta.text).toContain('<EntityContainer Name="Service" Extends="ServiceRoot.v1_11_0.ServiceContainer"/>');
    // Every type a payload names has its schema referenced.
    const sys = await call(bmc, 'GET', '/redfish/v1/Systems/1');
    expect(meta.text).toContain(`Namespace="${sys.json['@odata.type'].slice(1).split('.').slice(0, 2).join('.')}"`);
  });
});

describe('authentication', () => {
  it('no credentials: 401 NoValidSession with a Redfish error body, on any protected resource', async () => {
    bmc = await startBmc();
    for (const path of ['/redfish/v1/Systems', '/redfish/v1/Systems/1', '/redfish/v1/Chassis/1/Thermal', '/redfish/v1/SessionService/Sessions', '/redfish/v1/no/such/thing']) {
      const a = await call(bmc, 'GET', path, { basic: false });
      expect(a.status, path).toBe(401);
      expect(a.headers['www-authenticate']).toMatch(/^Basic/);
      expect(a.json.error.code).toBe('Base.1.13.NoValidSession');
      expect(messageIds(a.json)).toEqual(['Base.1.13.NoValidSession']);
    }
    const post = await call(bmc, 'POST', '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset', { basic: false, body: { ResetType: 'ForceOff' } });
    expect(post.status).toBe(401);
    expect(bmc.power.state).toBe('On');
    expect(bmc.counters.unauthorized).toBe(6);
  });

  it('wrong Basic credentials: 401 that never repeats the password; right ones: 200', async () => {
    bmc = await startBmc();
    const wrong = await call(bmc, 'GET', '/redfish/v1/Systems/1', { basic: { user: 'admin', password: 'guess-Zq81' } });
    expect(wrong.status).toBe(401);
    expect(messageIds(wrong.json)).toEqual(['Base.1.13.ResourceAtUriUnauthorized']);
    expect(wrong.text).not.toContain('guess-Zq81');
    const wrongUser = await call(bmc, 'GET', '/redfish/v1/Systems/1', { basic: { user: 'root', password: PASSWORD } });
    expect(wrongUser.status).toBe(401);
    const right = await call(bmc, 'GET', '/redfish/v1/Systems/1');
    expect(right.status).toBe(200);
    expect(right.json.Id).toBe('1');
  });

  it('unknown resources 404, wrong methods 405 with Allow, broken JSON 400', async () => {
    bmc = await startBmc();
    const missing = await call(bmc, 'GET', '/redfish/v1/Systems/2');
    expect(missing.status).toBe(404);
    expect(messageIds(missing.json)).toEqual(['Base.1.13.ResourceMissingAtURI']);
    const del = await call(bmc, 'DELETE', '/redfish/v1/Systems/1');
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, PATCH');
    const put = await call(bmc, 'PUT', '/redfish/v1/Systems/1', { body: {} });
    expect(put.status).toBe(405);
    const broken = await call(bmc, 'PATCH', '/redfish/v1/Systems/1', { raw: '{"AssetTag": ' });
    expect(broken.status).toBe(400);
    expect(messageIds(broken.json)).toEqual(['Base.1.13.MalformedJSON']);
  });
});

describe('sessions', () => {
  it('login gives a token and a Location; the token opens every resource; logout ends it', async () => {
    bmc = await startBmc();
    const { token, location } = await login(bmc);
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(location).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/[0-9a-f]+$/);
    const me = await call(bmc, 'GET', location, { token });
    expect(me.json).toMatchObject({ '@odata.id': location, UserName: 'admin' });
    expect(me.text).not.toContain(PASSWORD);
    expect((await call(bmc, 'GET', '/redfish/v1/Chassis/1/Thermal', { token })).status).toBe(200);
    const list = await call(bmc, 'GET', '/redfish/v1/SessionService/Sessions', { token });
    expect(list.json.Members).toEqual([{ '@odata.id': location }]);
    expect((await call(bmc, 'DELETE', location, { token })).status).toBe(204);
    const after = await call(bmc, 'GET', '/redfish/v1/Systems/1', { token });
    expect(after.status).toBe(401);
    expect(messageIds(after.json)).toEqual(['Base.1.13.NoValidSession']);
    expect((await call(bmc, 'DELETE', location)).status).toBe(404);
  });

  it('a bad login: 401 for a wrong password, 400 PropertyMissing without one, and no session made', async () => {
    bmc = await startBmc();
    const wrong = await call(bmc, 'POST', '/redfish/v1/SessionService/Sessions', { basic: false, body: { UserName: 'admin', Password: 'nope-4411' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['x-auth-token']).toBeUndefined();
    expect(wrong.text).not.toContain('nope-4411');
    const missing = await call(bmc, 'POST', '/redfish/v1/SessionService/Sessions', { basic: false, body: { UserName: 'admin' } });
    expect(missing.status).toBe(400);
    expect(messageIds(missing.json)).toEqual(['Base.1.13.PropertyMissing']);
    expect(bmc.state.sessions.list()).toEqual([]);
  });

  it('a small limit: the next login gets 503 SessionLimitExceeded until one ends', async () => {
    bmc = await startBmc({ sessionLimit: 2 });
    const a = await login(bmc);
    await login(bmc);
    const third = await call(bmc, 'POST', '/redfish/v1/SessionService/Sessions', { basic: false, body: { UserName: 'admin', Password: PASSWORD } });
    expect(third.status).toBe(503);
    expect(messageIds(third.json)).toEqual(['Base.1.13.SessionLimitExceeded']);
    expect(third.headers['x-auth-token']).toBeUndefined();
    // Basic still works while every session slot is taken.
    expect((await call(bmc, 'GET', '/redfish/v1/Systems/1')).status).toBe(200);
    expect((await call(bmc, 'DELETE', a.location, { token: a.token })).status).toBe(204);
    await login(bmc);
    const service = await call(bmc, 'GET', '/redfish/v1/SessionService');
    expect(service.json.SessionTimeout).toBe(1800);
  });

  it('an idle session expires; one in use does not', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, sessionIdleMs: 60_000 });
    const busy = await login(bmc);
    const idle = await login(bmc);
    for (let i = 0; i < 3; i++) {
      clock.advance(40_000);
      expect((await call(bmc, 'GET', '/redfish/v1/Systems/1', { token: busy.token })).status).toBe(200);
    }
    expect((await call(bmc, 'GET', '/redfish/v1/Systems/1', { token: idle.token })).status).toBe(401);
    clock.advance(60_000);
    expect((await call(bmc, 'GET', '/redfish/v1/Systems/1', { token: busy.token })).status).toBe(401);
    expect(bmc.state.sessions.list()).toEqual([]);
  });

  it('a BMC reboot (Manager.Reset) forgets every session: tokens 401, a new login works', async () => {
    bmc = await startBmc();
    const s = await login(bmc);
    const reset = await call(bmc, 'POST', '/redfish/v1/Managers/1/Actions/Manager.Reset', { token: s.token, body: { ResetType: 'GracefulRestart' } });
    expect(reset.status).toBe(204);
    expect((await call(bmc, 'GET', '/redfish/v1/Systems/1', { token: s.token })).status).toBe(401);
    const again = await login(bmc);
    expect((await call(bmc, 'GET', '/redfish/v1/Systems/1', { token: again.token })).status).toBe(200);
    // The host kept running through it.
    expect(bmc.power.state).toBe('On');
  });
});
