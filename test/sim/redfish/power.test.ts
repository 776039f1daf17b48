/**
 * Power over time through ComputerSystem.Reset, on a clock the test moves: PoweringOn then On,
 * PoweringOff then Off (GracefulShutdown longer than ForceOff), refusals that change nothing, the
 * SEL entries, the OpenBMC variant's ActionInfo, the async variant's task monitor, and the
 * writable settings under an ETag.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_TIMINGS } from '../../../lib/sim/ipmi/host-model.ts';
import { FAST_POWER_TIMINGS, OPENBMC_RESET_TYPES, type RedfishBmc } from '../../../lib/sim/redfish/index.ts';
import { call, ManualClock, startBmc } from './support.ts';

let bmc: RedfishBmc | undefined;
afterEach(async () => {
  await bmc?.stop();
  bmc = undefined;
});

const RESET = '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset';
const reset = (b: RedfishBmc, ResetType: string, path = RESET) => call(b, 'POST', path, { body: { ResetType } });
const powerState = async (b: RedfishBmc, path = '/redfish/v1/Systems/1'): Promise<string> => (await call(b, 'GET', path)).json.PowerState;
const messageId = (json: { error: { '@Message.ExtendedInfo': Array<{ MessageId: string }> } }): string => json.error['@Message.ExtendedInfo'][0].MessageId;

describe('ComputerSystem.Reset over time', () => {
  it('ForceOff: PoweringOff briefly, then Off; On: PoweringOn for the configured delay, then On', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, powerTimings: { poweringOnMs: 2_000, forceOffMs: 300 } });
    expect(await powerState(bmc)).toBe('On');
    expect((await reset(bmc, 'ForceOff')).status).toBe(204);
    expect(bmc.host.powerOn).toBe(false); // a hard cut: the machine is off at once
    expect(await powerState(bmc)).toBe('PoweringOff');
    clock.advance(300);
    expect(await powerState(bmc)).toBe('Off');
    expect(await powerState(bmc, '/redfish/v1/Chassis/1')).toBe('Off');
    expect((await reset(bmc, 'On')).status).toBe(204);
    expect(await powerState(bmc)).toBe('PoweringOn');
    clock.advance(1_999);
    expect(await powerState(bmc)).toBe('PoweringOn');
    clock.advance(1);
    expect(await powerState(bmc)).toBe('On');
    expect(bmc.host.powerOn).toBe(true);
  });

  it('GracefulShutdown takes the OS its time, longer than ForceOff', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, timings: { ...FAST_TIMINGS, softOffMs: 5_000 }, powerTimings: { forceOffMs: 500 } });
    expect((await reset(bmc, 'GracefulShutdown')).status).toBe(204);
    clock.advance(500);
    expect(await powerState(bmc)).toBe('PoweringOff');
    expect(bmc.host.powerOn).toBe(true);
    clock.advance(4_499);
    expect(await powerState(bmc)).toBe('PoweringOff');
    clock.advance(1);
    expect(await powerState(bmc)).toBe('Off');
    expect(bmc.host.powerOn).toBe(false);
  });

  it('the SEL dates a power event when it happened, not when someone next looked', async () => {
    const clock = new ManualClock();
    const t0 = clock.t;
    bmc = await startBmc({ clock, timings: { ...FAST_TIMINGS, softOffMs: 5_000 } });
    await reset(bmc, 'GracefulShutdown');
    clock.advance(60_000); // nobody asks the BMC anything meanwhile
    const entries = (await call(bmc, 'GET', '/redfish/v1/Managers/1/LogServices/SEL/Entries')).json.Members;
    expect(entries).toHaveLength(1);
    expect(entries[0].Message).toMatch(/^power off/);
    expect(Date.parse(entries[0].Created)).toBe(t0 + 5_000);
  });

  it('PowerCycle goes off, then through PoweringOn back to On', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, timings: { ...FAST_TIMINGS, cycleOffMs: 1_000 }, powerTimings: { poweringOnMs: 1_000 } });
    expect((await reset(bmc, 'PowerCycle')).status).toBe(204);
    expect(await powerState(bmc)).toBe('PoweringOff');
    expect(bmc.host.powerOn).toBe(false);
    clock.advance(1_000);
    expect(await powerState(bmc)).toBe('PoweringOn');
    expect(bmc.host.powerOn).toBe(true);
    clock.advance(1_000);
    expect(await powerState(bmc)).toBe('On');
  });

  it('a reset during a transition gets 409 ResourceInUse, except ForceOff; repeats are no-ops', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, host: { initiallyOn: false } });
    expect(await powerState(bmc)).toBe('Off');
    expect((await reset(bmc, 'ForceOff')).status).toBe(204); // already off: nothing to do
    expect(await powerState(bmc)).toBe('Off');
    await reset(bmc, 'On');
    const busy = await reset(bmc, 'GracefulRestart');
    expect(busy.status).toBe(409);
    expect(messageId(busy.json)).toBe('Base.1.13.ResourceInUse');
    expect(await powerState(bmc)).toBe('PoweringOn');
    expect((await reset(bmc, 'ForceOff')).status).toBe(204);
    clock.advance(FAST_POWER_TIMINGS.forceOffMs);
    expect(await powerState(bmc)).toBe('Off');
    // Once the power is cut, a power-on need not wait for PoweringOff to end; an OS shutting down must.
    await reset(bmc, 'On');
    clock.advance(FAST_POWER_TIMINGS.poweringOnMs);
    await reset(bmc, 'ForceOff');
    expect(await powerState(bmc)).toBe('PoweringOff');
    expect((await reset(bmc, 'On')).status).toBe(204);
    expect(await powerState(bmc)).toBe('PoweringOn');
    clock.advance(FAST_POWER_TIMINGS.poweringOnMs);
    await reset(bmc, 'GracefulShutdown');
    expect((await reset(bmc, 'On')).status).toBe(409);
    expect((await reset(bmc, 'GracefulShutdown')).status).toBe(204); // already under way
    expect(await powerState(bmc)).toBe('PoweringOff');
  });

  it('bad reset requests: 400 with the Base message, and the power stays as it was', async () => {
    bmc = await startBmc();
    const missing = await call(bmc, 'POST', RESET, { body: {} });
    expect(missing.status).toBe(400);
    expect(messageId(missing.json)).toBe('Base.1.13.ActionParameterMissing');
    const bogus = await reset(bmc, 'Explode');
    expect(bogus.status).toBe(400);
    expect(messageId(bogus.json)).toBe('Base.1.13.ActionParameterValueNotInList');
    // ForceOn is a Redfish reset type, but not one the generic variant offers.
    expect((await reset(bmc, 'ForceOn')).status).toBe(400);
    expect((await call(bmc, 'GET', RESET)).status).toBe(405);
    expect(bmc.power.state).toBe('On');
    expect(bmc.host.controlCounts).toEqual({ off: 0, on: 0, cycle: 0, reset: 0, diag: 0, soft: 0 });
  });

  it('an OS that refuses to shut down: the system stays On and the SEL says why', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, host: { osRefusesSoftOff: true } });
    expect((await reset(bmc, 'GracefulShutdown')).status).toBe(204);
    clock.advance(60_000);
    expect(await powerState(bmc)).toBe('On');
    const entries = (await call(bmc, 'GET', '/redfish/v1/Managers/1/LogServices/SEL/Entries')).json.Members;
    expect(entries.at(-1)).toMatchObject({ EntryType: 'SEL', SensorType: 'Power Unit', EntryCode: 'Assert', Severity: 'Warning', Message: expect.stringMatching(/refused/) });
  });

  it('power on and off are logged in the SEL, under the manager and the system alike', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock });
    await reset(bmc, 'ForceOff');
    clock.advance(5_000);
    await reset(bmc, 'On');
    const sel = await call(bmc, 'GET', '/redfish/v1/Managers/1/LogServices/SEL/Entries');
    expect(sel.json['Members@odata.count']).toBe(2);
    const [off, on] = sel.json.Members;
    expect(off).toMatchObject({ '@odata.id': '/redfish/v1/Managers/1/LogServices/SEL/Entries/1', Id: '1', EntryType: 'SEL', SensorType: 'System ACPI PowerState', EntryCode: 'Assert', Message: expect.stringMatching(/^power off/) });
    expect(on).toMatchObject({ Id: '2', Message: expect.stringMatching(/^power on/) });
    expect(Date.parse(on.Created) - Date.parse(off.Created)).toBe(5_000);
    const viaSystem = await call(bmc, 'GET', '/redfish/v1/Systems/1/LogServices/SEL/Entries/2');
    expect(viaSystem.json).toMatchObject({ '@odata.id': '/redfish/v1/Systems/1/LogServices/SEL/Entries/2', Message: on.Message });
    const service = await call(bmc, 'GET', '/redfish/v1/Systems/1/LogServices/SEL');
    expect(service.json).toMatchObject({ LogEntryType: 'SEL', Entries: { '@odata.id': '/redfish/v1/Systems/1/LogServices/SEL/Entries' } });
    expect((await call(bmc, 'POST', service.json.Actions['#LogService.ClearLog'].target, { body: {} })).status).toBe(204);
    expect((await call(bmc, 'GET', '/redfish/v1/Managers/1/LogServices/SEL/Entries')).json.Members).toEqual([]);
  });
});

describe('variants', () => {
  it('openbmc: bmcweb names, reset types in an ActionInfo resource, and only those accepted', async () => {
    bmc = await startBmc({ variant: 'openbmc' });
    const systems = await call(bmc, 'GET', '/redfish/v1/Systems');
    expect(systems.json.Members).toEqual([{ '@odata.id': '/redfish/v1/Systems/system' }]);
    const sys = await call(bmc, 'GET', '/redfish/v1/Systems/system');
    const action = sys.json.Actions['#ComputerSystem.Reset'];
    expect(action).toEqual({ target: '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', '@Redfish.ActionInfo': '/redfish/v1/Systems/system/ResetActionInfo' });
    const info = await call(bmc, 'GET', action['@Redfish.ActionInfo']);
    expect(info.json.Parameters).toEqual([{ Name: 'ResetType', Required: true, DataType: 'String', AllowableValues: [...OPENBMC_RESET_TYPES] }]);
    expect(info.json.Parameters[0].AllowableValues).not.toContain('PushPowerButton');
    expect((await reset(bmc, 'PushPowerButton', action.target)).status).toBe(400);
    expect((await reset(bmc, 'ForceOn', action.target)).status).toBe(204);
    expect(sys.json.Links).toEqual({ Chassis: [{ '@odata.id': '/redfish/v1/Chassis/chassis' }], ManagedBy: [{ '@odata.id': '/redfish/v1/Managers/bmc' }] });
    expect((await call(bmc, 'GET', '/redfish/v1/Managers/bmc/LogServices/SEL')).status).toBe(200);
  });

  it('async: a reset answers 202 with a task monitor that runs until the transition is over', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, asyncReset: true, timings: { ...FAST_TIMINGS, softOffMs: 3_000 } });
    const accepted = await reset(bmc, 'GracefulShutdown');
    expect(accepted.status).toBe(202);
    const monitor = String(accepted.headers.location);
    expect(monitor).toBe('/redfish/v1/TaskService/Tasks/1/Monitor');
    expect(accepted.json).toMatchObject({ '@odata.id': '/redfish/v1/TaskService/Tasks/1', TaskState: 'Running', TaskMonitor: monitor, Payload: { TargetUri: RESET, HttpOperation: 'POST' } });
    clock.advance(1_500);
    const running = await call(bmc, 'GET', monitor);
    expect(running.status).toBe(202);
    expect(running.json).toMatchObject({ TaskState: 'Running', PercentComplete: 50 });
    expect((await call(bmc, 'GET', '/redfish/v1/TaskService/Tasks/1')).status).toBe(200);
    clock.advance(1_500);
    const done = await call(bmc, 'GET', monitor);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ TaskState: 'Completed', TaskStatus: 'OK', PercentComplete: 100, Messages: [{ MessageId: 'TaskEvent.1.0.TaskCompletedOK' }] });
    expect(await powerState(bmc)).toBe('Off');
    const tasks = await call(bmc, 'GET', '/redfish/v1/TaskService/Tasks');
    expect(tasks.json.Members).toEqual([{ '@odata.id': '/redfish/v1/TaskService/Tasks/1' }]);
  });

  it('async: a shutdown the OS refuses ends in TaskState Exception', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, asyncReset: true, host: { osRefusesSoftOff: true } });
    const monitor = String((await reset(bmc, 'GracefulShutdown')).headers.location);
    clock.advance(10_000);
    const done = await call(bmc, 'GET', monitor);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ TaskState: 'Exception', TaskStatus: 'Warning' });
    expect((await call(bmc, 'GET', '/redfish/v1/TaskService/Tasks/9/Monitor')).status).toBe(404);
  });
});

describe('writable settings under an ETag', () => {
  it('PowerRestorePolicy: read, PATCH with the ETag, 412 with a stale one, and the policy acts on a power feed outage', async () => {
    bmc = await startBmc();
    const first = await call(bmc, 'GET', '/redfish/v1/Systems/1');
    expect(first.json.PowerRestorePolicy).toBe('LastState');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const patched = await call(bmc, 'PATCH', '/redfish/v1/Systems/1', { headers: { 'If-Match': etag }, body: { PowerRestorePolicy: 'AlwaysOff' } });
    expect(patched.status).toBe(200);
    expect(patched.json.PowerRestorePolicy).toBe('AlwaysOff');
    expect(patched.headers.etag).not.toBe(etag);
    const stale = await call(bmc, 'PATCH', '/redfish/v1/Systems/1', { headers: { 'If-Match': etag }, body: { PowerRestorePolicy: 'AlwaysOn' } });
    expect(stale.status).toBe(412);
    expect(messageId(stale.json)).toBe('Base.1.13.PreconditionFailed');
    expect((await call(bmc, 'GET', '/redfish/v1/Systems/1')).json.PowerRestorePolicy).toBe('AlwaysOff');
    // A power feed outage under AlwaysOff leaves the machine off, and is logged.
    expect(bmc.state.powerFeedOutage()).toBe('off');
    expect(await powerState(bmc)).toBe('Off');
    expect(bmc.state.log.entries().at(-1)?.message).toMatch(/AC lost/);
    // Without If-Match the PATCH applies (the simulator does not demand one); "*" matches any.
    expect((await call(bmc, 'PATCH', '/redfish/v1/Systems/1', { body: { PowerRestorePolicy: 'AlwaysOn' } })).json.PowerRestorePolicy).toBe('AlwaysOn');
    expect((await call(bmc, 'PATCH', '/redfish/v1/Systems/1', { headers: { 'If-Match': '*' }, body: { AssetTag: 'rack-7' } })).json.AssetTag).toBe('rack-7');
    expect(bmc.state.powerFeedOutage()).toBe('on');
  });

  it('a bad PATCH is refused whole: unknown, read-only and out-of-list properties change nothing', async () => {
    bmc = await startBmc();
    const before = await call(bmc, 'GET', '/redfish/v1/Systems/1');
    const cases: Array<[unknown, string]> = [
      [{ PowerRestorePolicy: 'Sometimes' }, 'PropertyValueNotInList'],
      [{ AssetTag: 'new-tag', PowerState: 'Off' }, 'PropertyNotWritable'],
      [{ AssetTag: 'new-tag', Colour: 'blue' }, 'PropertyUnknown'],
      [{ AssetTag: 'new-tag', Boot: { BootSourceOverrideTarget: 'Floppy' } }, 'PropertyValueNotInList'],
      [[1, 2], 'MalformedJSON'],
    ];
    for (const [body, id] of cases) {
      const a = await call(bmc, 'PATCH', '/redfish/v1/Systems/1', { headers: { 'If-Match': String(before.headers.etag) }, body });
      expect(a.status, JSON.stringify(body)).toBe(400);
      expect(messageId(a.json)).toBe(`Base.1.13.${id}`);
    }
    const after = await call(bmc, 'GET', '/redfish/v1/Systems/1');
    expect(after.json).toEqual(before.json);
    expect(after.headers.etag).toBe(before.headers.etag);
    const boot = await call(bmc, 'PATCH', '/redfish/v1/Systems/1', { body: { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } } });
    expect(boot.json.Boot).toMatchObject({ BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: 'UEFI' });
  });
});
