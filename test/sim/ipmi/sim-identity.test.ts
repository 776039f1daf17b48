/**
 * The simulated BMC's identity, server side (its handlers, no socket): FRU device 0 with chassis,
 * board and product serials, Read FRU Data's offsets, counts and limits, the GUID, a swapped
 * ("bmc-foreign") identity, Set Power Restore Policy and a power feed outage. Our FRU reader and
 * identity reader run against these handlers, including the chunk shrinking and word access.
 */
import { describe, expect, it } from 'vitest';
import { simFruImage, simIdentityFor, SIM_MANUFACTURER, SIM_PRODUCT_NAME } from '../../../lib/sim/ipmi/identity.ts';
import { readFruData } from '../../../lib/ipmi/commands/read-fru-data.ts';
import { getFruInventoryAreaInfo } from '../../../lib/ipmi/commands/get-fru-inventory-area-info.ts';
import { ChassisAction, chassisControl, getChassisStatus, setPowerRestorePolicy } from '../../../lib/ipmi/commands/chassis.ts';
import { getDeviceId } from '../../../lib/ipmi/commands/get-device-id.ts';
import { decodeFru } from '../../../lib/ipmi/fru/fru-format.ts';
import { readFruInventory } from '../../../lib/ipmi/fru/read-fru.ts';
import { readBmcIdentity } from '../../../lib/ipmi/identity.ts';
import { canonicalGuid, guidMatches, isRfc4122Uuid, guidNetworkBytes } from '../../../lib/ipmi/guid.ts';
import { IpmiCompletionCodeError } from '../../../lib/ipmi/errors.ts';
import { dispatchRun, simState } from './dispatch-support.ts';

describe('simIdentityFor', () => {
  it('is deterministic per name, distinct across names, with a valid UUID sent in IPMI order', () => {
    const a = simIdentityFor('host-001');
    expect(a).toEqual(simIdentityFor('host-001'));
    expect(a).toMatchObject({ productSerial: 'LPSIM-host-001', boardSerial: 'LPSIMB-host-001', chassisSerial: 'LPSIMC-host-001' });
    const b = simIdentityFor('host-002');
    expect(b.guid.equals(a.guid)).toBe(false);
    expect(a.guid).toHaveLength(16);
    expect(isRfc4122Uuid(guidNetworkBytes(a.guid, 'ipmi'))).toBe(true);
  });

  it('its FRU image decodes to the serials, manufacturer and product name', () => {
    const id = simIdentityFor('host-007');
    const fru = decodeFru(simFruImage(id));
    expect(fru.chassis?.serialNumber?.value).toBe(id.chassisSerial);
    expect(fru.board?.serialNumber?.value).toBe(id.boardSerial);
    expect(fru.product?.serialNumber?.value).toBe(id.productSerial);
    expect(fru.product?.manufacturer?.value).toBe(SIM_MANUFACTURER);
    expect(fru.product?.productName?.value).toBe(SIM_PRODUCT_NAME);
  });
});

describe('FRU device 0 of the simulated BMC', () => {
  it('says it is a FRU inventory device (Get Device ID additional support bit 3)', async () => {
    const { run } = dispatchRun(simState());
    expect((await run(getDeviceId, undefined)).additionalSupport & 0x08).toBe(0x08);
  });

  it('reports its size by bytes, and 0xCB for another device id', async () => {
    const state = simState({ name: 'host-003' });
    const { run, raw } = dispatchRun(state);
    expect(await run(getFruInventoryAreaInfo, { deviceId: 0 })).toEqual({ size: simFruImage(simIdentityFor('host-003')).length, byWords: false });
    expect(raw(getFruInventoryAreaInfo as never, [1]).cc).toBe(0xcb);
    expect(raw(getFruInventoryAreaInfo as never, []).cc).toBe(0xc7);
  });

  it('Read FRU Data honours offset and count, gives what is left past the end, refuses long reads with 0xCA', async () => {
    const state = simState();
    const image = state.fru as Buffer;
    const { run, raw } = dispatchRun(state);
    expect(await run(readFruData, { deviceId: 0, offset: 0, count: 8 })).toEqual({ count: 8, data: image.subarray(0, 8) });
    expect(await run(readFruData, { deviceId: 0, offset: 10, count: 5 })).toEqual({ count: 5, data: image.subarray(10, 15) });
    const tail = await run(readFruData, { deviceId: 0, offset: image.length - 3, count: 20 });
    expect(tail).toEqual({ count: 3, data: image.subarray(image.length - 3) });
    expect(await run(readFruData, { deviceId: 0, offset: image.length, count: 4 })).toEqual({ count: 0, data: Buffer.alloc(0) });
    expect(raw(readFruData as never, [0, image.length + 1, 0, 4]).cc).toBe(0xc9);
    expect(raw(readFruData as never, [0, 0, 0, 33]).cc).toBe(0xca);
    expect(raw(readFruData as never, [2, 0, 0, 4]).cc).toBe(0xcb);
    expect(raw(readFruData as never, [0, 0, 0]).cc).toBe(0xc7);
  });

  it('a word-access device counts offsets and counts in words', async () => {
    const state = simState({ fruByWords: true });
    const image = state.fru as Buffer;
    const { run } = dispatchRun(state);
    expect((await run(getFruInventoryAreaInfo, { deviceId: 0 })).byWords).toBe(true);
    expect(await run(readFruData, { deviceId: 0, offset: 4, count: 3 })).toEqual({ count: 3, data: image.subarray(8, 14) });
  });

  it('our reader gets the same inventory by bytes, by words, and when long reads are refused', async () => {
    const expected = decodeFru(simFruImage(simIdentityFor('sim-1')));
    for (const o of [{}, { fruByWords: true }, { maxFruRead: 5 }, { maxFruRead: 3, fruByWords: true }]) {
      const { run, calls } = dispatchRun(simState(o));
      expect(await readFruInventory(run), JSON.stringify(o)).toEqual(expected);
      if (o.maxFruRead) {
        // The first read asked too much (0xCA); afterwards every read fits the BMC's limit.
        expect(calls.find((c) => c.name === 'Read FRU Data')?.cc).toBe(0xca);
        const after = calls.filter((c) => c.name === 'Read FRU Data' && c.cc === 0);
        for (const c of after) expect((c.request as { count: number }).count).toBeLessThanOrEqual(o.maxFruRead);
      }
    }
  });

  it('the reader reads only the header and the three areas, in chunks of at most 24 bytes', async () => {
    const { run, calls } = dispatchRun(simState());
    await readFruInventory(run);
    const reads = calls.filter((c) => c.name === 'Read FRU Data').map((c) => c.request as { offset: number; count: number });
    expect(Math.max(...reads.map((r) => r.count))).toBeLessThanOrEqual(24);
    // No byte is asked for twice.
    const asked = reads.flatMap((r) => Array.from({ length: r.count }, (_, i) => r.offset + i));
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('a BMC without FRU answers 0xCB, and the identity then has the GUID without serials', async () => {
    const state = simState({ fru: false });
    const { run } = dispatchRun(state);
    await expect(run(getFruInventoryAreaInfo, { deviceId: 0 })).rejects.toMatchObject({ code: 0xcb });
    const id = await readBmcIdentity(run);
    expect(id).toEqual({ guid: canonicalGuid(state.guid), guidHex: state.guid.toString('hex') });
  });
});

describe('identity of the simulated BMC', () => {
  it('readBmcIdentity gives the GUID and the serials of its machine', async () => {
    const state = simState({ name: 'host-005' });
    const id = await readBmcIdentity(dispatchRun(state).run);
    const want = simIdentityFor('host-005');
    expect(id).toMatchObject({
      guid: canonicalGuid(want.guid),
      guidHex: want.guid.toString('hex'),
      chassisSerial: want.chassisSerial,
      boardSerial: want.boardSerial,
      productSerial: want.productSerial,
      manufacturer: SIM_MANUFACTURER,
      productName: SIM_PRODUCT_NAME,
    });
    expect(id.fru?.board?.manufactured).toBe('2024-01-15T08:30:00.000Z');
  });

  it('bmc-foreign: assigning another identity changes what the BMC answers from then on', async () => {
    const state = simState({ name: 'host-005' });
    const { run } = dispatchRun(state);
    const before = await readBmcIdentity(run);
    state.identity = simIdentityFor('other');
    const after = await readBmcIdentity(run);
    expect(after.productSerial).toBe('LPSIM-other');
    expect(after.boardSerial).toBe('LPSIMB-other');
    expect(guidMatches(before.guid as string, Buffer.from(after.guidHex as string, 'hex'))).toBe(false);
    expect(guidMatches(canonicalGuid(simIdentityFor('other').guid), state.guid)).toBe(true);
  });
});

describe('power restore policy and a power feed outage', () => {
  it('Set Power Restore Policy is kept and reported in Get Chassis Status; no-change only lists the supported ones', async () => {
    const state = simState();
    const { run } = dispatchRun(state);
    expect((await run(getChassisStatus, undefined)).restorePolicy).toBe('previous');
    for (const policy of ['always-off', 'always-on', 'previous'] as const) {
      expect(await run(setPowerRestorePolicy, { policy })).toEqual({ supported: ['always-off', 'previous', 'always-on'] });
      expect((await run(getChassisStatus, undefined)).restorePolicy).toBe(policy);
    }
    await run(setPowerRestorePolicy, { policy: 'always-on' });
    await run(setPowerRestorePolicy, { policy: 'no-change' });
    expect(state.restorePolicy).toBe('always-on');
  });

  it('needs operator privilege', async () => {
    const { run } = dispatchRun(simState(), 2);
    await expect(run(setPowerRestorePolicy, { policy: 'always-off' })).rejects.toBeInstanceOf(IpmiCompletionCodeError);
    await expect(run(setPowerRestorePolicy, { policy: 'always-off' })).rejects.toMatchObject({ code: 0xd4 });
  });

  it('after an outage the chassis is as the policy says, and the last power event says AC failed', async () => {
    const cases = [
      ['always-off', true, 'off'],
      ['always-off', false, 'off'],
      ['previous', true, 'on'],
      ['previous', false, 'off'],
      ['always-on', true, 'on'],
      ['always-on', false, 'on'],
    ] as const;
    for (const [policy, initiallyOn, expected] of cases) {
      const state = simState({ restorePolicy: policy, host: { timings: { postMs: 300, softOffMs: 300, cycleOffMs: 200, thermalTauMs: 2000 }, initiallyOn } });
      const { run } = dispatchRun(state);
      expect(state.powerFeedOutage(), `${policy}, ${initiallyOn ? 'on' : 'off'} before`).toBe(expected);
      const st = await run(getChassisStatus, undefined);
      expect(st.powerOn).toBe(expected === 'on');
      expect(st.lastPowerEvent.acFailed).toBe(true);
    }
  });

  it('a power command after the outage clears the AC-failed event; the outage is in the SEL', async () => {
    const state = simState({ restorePolicy: 'always-off' });
    const { run } = dispatchRun(state);
    const selBefore = state.sel.length;
    state.powerFeedOutage();
    expect(state.sel.length).toBeGreaterThan(selBefore);
    expect(state.sel.some((r) => r[10] === 0x09 && (r[13] & 0x0f) === 0x04)).toBe(true);
    await run(chassisControl, { action: ChassisAction.powerUp });
    const st = await run(getChassisStatus, undefined);
    expect(st.powerOn).toBe(true);
    expect(st.lastPowerEvent.acFailed).toBe(false);
  });
});
