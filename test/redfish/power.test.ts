/**
 * Power through ComputerSystem.Reset against our stateful test service over real sockets: the
 * round trip (off, confirmed off, on, confirmed on) with sessions and 202 task monitors, the state
 * checked before acting, reset types from an ActionInfo, the cycle and its fallback, what the BMC
 * does not offer, a lost answer never posted twice, tasks that fail, and one request at a time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openRedfish, RedfishHttpError, RedfishNotSupportedError, RedfishStateError, RedfishTaskError, type RedfishBmcOptions } from '../../lib/redfish/index.ts';
import { RedfishTestServer, TEST_PASSWORD, type TestServerOptions } from './redfish-test-server.ts';

let server: RedfishTestServer | undefined;
const handles: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close().catch(() => undefined)));
  await server?.stop();
  server = undefined;
});

async function setup(so: TestServerOptions = {}, co: Partial<RedfishBmcOptions> = {}) {
  server = await RedfishTestServer.start(so);
  const bmc = openRedfish({ host: '127.0.0.1', port: server.port, protocol: 'http', username: 'admin', password: TEST_PASSWORD, power: { pollMs: 20, confirmTimeoutMs: 2000 }, ...co });
  handles.push(bmc);
  return { s: server, bmc };
}

const resets = (s: RedfishTestServer) => s.requests.filter((r) => r.path.endsWith('/Actions/ComputerSystem.Reset')).map((r) => (r.body as { ResetType: string }).ResetType);

describe('the power round trip', () => {
  it('off, confirmed off, on, confirmed on: through 202 task monitors and PoweringOff/PoweringOn, one session', async () => {
    const { s, bmc } = await setup({ resetAnswer: 202, taskPolls: 2, transitionMs: 400 });
    const off = await bmc.power('off');
    expect(off).toMatchObject({ action: 'off', power: 'off', raw: 'Off', changed: true, confirmed: true, resetTypes: ['ForceOff'] });
    expect(s.power).toBe('Off');

    const on = await bmc.power('on');
    expect(on).toMatchObject({ action: 'on', power: 'on', changed: true, confirmed: true, resetTypes: ['On'] });
    expect(s.power).toBe('On');
    // The PoweringOn phase was seen and waited out, not taken for "on".
    expect(s.servedStates.slice(s.servedStates.lastIndexOf('Off'))).toContain('PoweringOn');
    expect(s.servedStates.at(-1)).toBe('On');
    // Each task monitor was read until it stopped answering 202.
    expect(s.count('GET', '/redfish/v1/TaskService/TaskMonitors/1')).toBe(3);
    expect(s.count('GET', '/redfish/v1/TaskService/TaskMonitors/2')).toBe(3);
    expect(resets(s)).toEqual(['ForceOff', 'On']);
    expect(s.logins).toBe(1);
    expect(Date.parse(on.observedAt)).toBeGreaterThan(Date.parse(off.observedAt));
  });

  it('a 202 whose monitor is only in the Task body is followed too', async () => {
    const { s, bmc } = await setup({ powerState: 'Off', resetAnswer: 202, taskLocation: false, taskPolls: 1 });
    expect(await bmc.power('on')).toMatchObject({ power: 'on', confirmed: true });
    expect(s.count('GET', '/redfish/v1/TaskService/TaskMonitors/1')).toBe(2);
    expect(await bmc.sendReset('ForceOff')).toMatchObject({ state: 'Completed', polls: 2 });
  });

  it('on for a host that is on, and off for one that is off, succeed without sending anything', async () => {
    const { s, bmc } = await setup({ powerState: 'On' });
    expect(await bmc.power('on')).toMatchObject({ changed: false, confirmed: true, resetTypes: [], message: 'already on' });
    s.power = 'Off';
    expect(await bmc.power('off')).toMatchObject({ changed: false, message: 'already off' });
    expect(await bmc.power('soft')).toMatchObject({ changed: false });
    expect(resets(s)).toEqual([]);
  });

  it('soft off is GracefulShutdown; it is reported unconfirmed while the host still runs', async () => {
    const { s, bmc } = await setup({ transitionMs: 300 });
    const r = await bmc.power('soft');
    expect(r).toMatchObject({ changed: true, confirmed: false, power: 'unknown', raw: 'PoweringOff', resetTypes: ['GracefulShutdown'] });
    expect(r.message).toMatch(/still reports PoweringOff/);
    const waited = await bmc.power('soft', { softWaitMs: 0 }).catch((e: unknown) => e);
    // A state in transition is not acted on.
    expect(waited).toBeInstanceOf(RedfishStateError);
    expect((waited as Error).message).toMatch(/power state is PoweringOff: 'soft' not sent on a guess/);
    expect(resets(s)).toEqual(['GracefulShutdown']);
  });

  it('reset types from an ActionInfo (OpenBMC style), and soft off by PushPowerButton where that is all there is', async () => {
    const { s, bmc } = await setup({ resetTypesIn: 'ActionInfo', resetTypes: ['On', 'ForceOff', 'PushPowerButton'] });
    expect(await bmc.resetTypes()).toEqual(['On', 'ForceOff', 'PushPowerButton']);
    expect((await bmc.topology()).reset?.source).toBe('ActionInfo');
    expect(await bmc.power('soft')).toMatchObject({ power: 'off', resetTypes: ['PushPowerButton'] });
    expect(s.count('GET', '/redfish/v1/Systems/sys1/ResetActionInfo')).toBe(1);
  });

  it('cycle is PowerCycle where offered; a host that is off is not cycled', async () => {
    const { s, bmc } = await setup();
    expect(await bmc.power('cycle')).toMatchObject({ power: 'on', confirmed: true, resetTypes: ['PowerCycle'] });
    s.power = 'Off';
    await expect(bmc.power('cycle')).rejects.toThrow(/the host is off; a power cycle is refused \(use 'on' to start it\)/);
    expect(resets(s)).toEqual(['PowerCycle']);
  });

  it('without PowerCycle a cycle is ForceOff, confirmed off, then On; ForceRestart is never used', async () => {
    const { s, bmc } = await setup({ resetTypes: ['On', 'ForceOff', 'ForceRestart', 'GracefulRestart'], resetAnswer: 202, taskPolls: 1, transitionMs: 60 });
    expect(await bmc.resetPlan('cycle')).toEqual({ kind: 'off-then-on', off: 'ForceOff', on: 'On' });
    const r = await bmc.power('cycle');
    expect(r).toMatchObject({ power: 'on', confirmed: true, resetTypes: ['ForceOff', 'On'] });
    expect(resets(s)).toEqual(['ForceOff', 'On']);
    // On was posted only after a read showed Off.
    const order = s.requests.map((r) => (r.method === 'POST' && r.path.endsWith('Reset') ? `reset:${(r.body as { ResetType: string }).ResetType}` : r.path));
    expect(order.indexOf('reset:On')).toBeGreaterThan(order.indexOf('reset:ForceOff'));
  });

  it('a type the BMC does not offer is a clear error naming what it offers; nothing is posted', async () => {
    const { s, bmc } = await setup({ resetTypes: ['On', 'ForceRestart'] });
    s.power = 'On';
    const e = await bmc.power('off').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishNotSupportedError);
    expect((e as Error).message).toMatch(/127\.0\.0\.1:\d+: the BMC offers no reset type for 'off' \(needs ForceOff; it offers On, ForceRestart\)/);
    await expect(bmc.sendReset('ForceOff')).rejects.toThrow(/reset type 'ForceOff' is not offered \(it offers On, ForceRestart\)/);
    expect(resets(s)).toEqual([]);
  });

  it("the BMC's own refusal arrives with its MessageId and resolution", async () => {
    const { bmc } = await setup({ resetTypesIn: 'none', resetTypes: ['On', 'ForceOff'] });
    expect(await bmc.resetTypes()).toBeNull();
    const e = await bmc.power('cycle').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishHttpError);
    expect((e as RedfishHttpError).status).toBe(400);
    expect((e as Error).message).toMatch(/POST \/redfish\/v1\/Systems\/sys1\/Actions\/ComputerSystem.Reset answered HTTP 400: The value 'PowerCycle' .* \[Base.1.8.ActionParameterValueNotInList\] \(Fix the request and resubmit it.\)/);
  });

  it('a lost answer to a reset is never posted again: the state read afterwards decides', async () => {
    const { s, bmc } = await setup({ powerState: 'On' });
    await bmc.topology();
    s.dropAnswerTo(/ComputerSystem\.Reset$/);
    const r = await bmc.power('off');
    expect(resets(s)).toEqual(['ForceOff']);
    expect(r).toMatchObject({ power: 'off', confirmed: true, changed: true });
    expect(r.message).toMatch(/ForceOff sent, answer lost \(not sent again\)/);

  });

  it('a lost answer and a host that did not change: still one post, reported unconfirmed', async () => {
    const { s, bmc } = await setup({ powerState: 'On', resetTypes: ['On', 'GracefulShutdown'], transitionMs: 10_000 });
    await bmc.topology();
    s.dropAnswerTo(/ComputerSystem\.Reset$/);
    const soft = await bmc.power('soft');
    expect(resets(s)).toEqual(['GracefulShutdown']);
    expect(soft).toMatchObject({ confirmed: false, changed: true, raw: 'PoweringOff' });
  });

  it('a task that ends in Exception is a RedfishTaskError with the task messages', async () => {
    const { bmc } = await setup({ powerState: 'Off', resetAnswer: 202, taskPolls: 1, taskEnd: 'Exception' });
    const e = await bmc.power('on').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishTaskError);
    expect((e as Error).message).toMatch(/ComputerSystem.Reset On: the task ended Exception: The request failed due to an internal service error. \[Base.1.8.InternalError\]/);
  });

  it('a task that outlasts its deadline is a RedfishTaskError naming its monitor', async () => {
    const { bmc } = await setup({ powerState: 'Off', resetAnswer: 202, taskPolls: 1000 }, { power: { pollMs: 20, taskTimeoutMs: 200 } });
    await expect(bmc.power('on')).rejects.toThrow(/the task is still Running after 0.2 s \(watch \/redfish\/v1\/TaskService\/TaskMonitors\/1\)/);
  });

  it('one request at a time per BMC, however many callers', async () => {
    const { s, bmc } = await setup({ expand: false });
    await Promise.all([bmc.sensors(), bmc.sensors(), bmc.eventLog(), bmc.watts(), bmc.identity(), bmc.powerState(), bmc.restorePolicy()]);
    expect(s.requests.length).toBeGreaterThan(20);
    expect(s.maxInFlight).toBe(1);
  });
});
