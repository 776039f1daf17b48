/**
 * The sensor and power-draw quirks of the table, each against our simulator in the mode that
 * shows it, over real UDP: with the handling the sensor (or the draw) reads as it should; with the
 * entry taken out of the table the same read gives the wrong answer or fails. Each test's comment
 * says what breaks without it. Manufacturer quirks also show they stay off for other makers.
 */
import { describe, expect, it } from 'vitest';
import { IpmiCompletionCodeError } from '../../../lib/ipmi/errors.ts';
import { MANUFACTURER } from '../../../lib/ipmi/quirks.ts';
import { HP_PSU_SENSOR, LUN1_SENSOR, ME_SENSOR, WATTS_SENSOR } from '../../../lib/sim/ipmi/quirk-modes.ts';
import type { SensorValue } from '../../../lib/ipmi/sdr/sensor-value.ts';
import { client, failure, quirkSim } from './quirk-support.ts';

const byNumber = (list: SensorValue[], n: number): SensorValue => {
  const s = list.find((v) => v.number === n);
  if (!s) throw new Error(`no sensor ${n} in ${list.map((v) => v.name).join(', ')}`);
  return s;
};
const CPU1 = 1;
const CPU2 = 2;

describe('sensor quirks', () => {
  // Without: one sensor's odd completion code aborts the whole list.
  it.each([0xd3, 0xce, 0xff].map((c) => [c.toString(16), c] as const))('sensor-odd-code 0x%s: that sensor unavailable, the others read', async (_hex, code) => {
    const sim = await quirkSim({ sensorOddCode: { sensorNumber: CPU1, code } });
    const list = await client(sim).sensors();
    expect(byNumber(list, CPU1)).toMatchObject({ value: null, status: 'unavailable' });
    expect(byNumber(list, CPU2).value).toEqual(expect.any(Number));
    expect(list.filter((s) => s.value !== null).length).toBeGreaterThan(4);
    expect(await failure(client(sim, { without: ['sensor-odd-code'] }).sensors())).toBeInstanceOf(IpmiCompletionCodeError);
  });

  // Without: the absent part's 0xFF reads as 255 degrees, a critical temperature that is not there.
  it('sensor-ff-reading: raw 0xFF is no reading, not the top of the scale', async () => {
    const sim = await quirkSim({ sensorFF: CPU1 });
    expect(byNumber(await client(sim).sensors({ type: 'temperature' }), CPU1)).toMatchObject({ value: null, status: 'unavailable' });
    expect(byNumber(await client(sim, { without: ['sensor-ff-reading'] }).sensors({ type: 'temperature' }), CPU1)).toMatchObject({ value: 255 });
  });

  // Without: the sensor on LUN 1 is asked for at LUN 0, where no such sensor is: unavailable.
  it('sensor-lun: a sensor on LUN 1 is read at its LUN', async () => {
    const sim = await quirkSim({ sensorsOnLun1: true });
    const riser = byNumber(await client(sim).sensors({ type: 'temperature' }), LUN1_SENSOR);
    expect(riser.name).toBe('Riser Temp');
    expect(riser.value).toBeGreaterThan(15);
    expect(byNumber(await client(sim, { without: ['sensor-lun'] }).sensors({ type: 'temperature' }), LUN1_SENSOR).value).toBeNull();
  });

  // Without: the ME's sensor is asked of the BMC (or skipped): unavailable.
  it('bridged-sensors: a sensor owned by the Intel ME (0x2C, channel 6) is read through Send Message', async () => {
    const sim = await quirkSim({ meSensorsViaBridge: true });
    const list = await client(sim).sensors({ type: 'temperature' });
    const pch = byNumber(list, ME_SENSOR);
    expect(pch.name).toBe('PCH Temp');
    expect(pch.value).toBeGreaterThan(20);
    expect(sim.engine.commandCount('Send Message')).toBe(1);
    expect(byNumber(list, CPU1).value).toEqual(expect.any(Number));
    expect(byNumber(await client(sim, { without: ['bridged-sensors'] }).sensors({ type: 'temperature' }), ME_SENSOR).value).toBeNull();
  });

  // Without: a Dell's good readings marked "scanning disabled" are thrown away.
  it('ignore-scanning-disabled: chosen by manufacturer (Dell), readings kept', async () => {
    const dell = await quirkSim({ scanningDisabledSensors: [CPU1] }, { manufacturerId: MANUFACTURER.dell });
    expect(byNumber(await client(dell).sensors({ type: 'temperature' }), CPU1).value).toEqual(expect.any(Number));
    expect(byNumber(await client(dell, { without: ['ignore-scanning-disabled'] }).sensors({ type: 'temperature' }), CPU1).value).toBeNull();
    // Another maker's "scanning disabled" is believed.
    const other = await quirkSim({ scanningDisabledSensors: [CPU1] }, { manufacturerId: MANUFACTURER.intel });
    expect(byNumber(await client(other).sensors({ type: 'temperature' }), CPU1).value).toBeNull();
  });

  // Without: HP's discrete power supply sensor gives its states only, and its watts are lost.
  it('discrete-reading: chosen by manufacturer (HP), a discrete sensor gives its analog watts', async () => {
    const hp = await quirkSim({ discreteAnalogSensor: true }, { manufacturerId: MANUFACTURER.hp });
    const psu = byNumber(await client(hp).sensors(), HP_PSU_SENSOR);
    expect(psu).toMatchObject({ name: 'Power Supply 1', unit: 'Watts', status: 'discrete', states: 0x01 });
    expect(psu.value).toBeCloseTo(hp.state.host.power().watts, -1);
    expect(byNumber(await client(hp, { without: ['discrete-reading'] }).sensors(), HP_PSU_SENSOR).value).toBeNull();
    const other = await quirkSim({ discreteAnalogSensor: true }, { manufacturerId: MANUFACTURER.dell });
    expect(byNumber(await client(other).sensors(), HP_PSU_SENSOR).value).toBeNull();
  });

  // Without: the walk asks for the record the last one names, gets 0xC3 and fails the read.
  it('sdr-end-on-error: a last record pointing nowhere (0xC3) ends the walk cleanly', async () => {
    const sim = await quirkSim({ lastSdrC3: true });
    const records = await client(sim).sensorRecords();
    expect(records.length).toBe(sim.state.repository.length);
    const e = await failure(client(sim, { without: ['sdr-end-on-error'] }).sensorRecords());
    expect(e).toBeInstanceOf(IpmiCompletionCodeError);
    expect((e as IpmiCompletionCodeError).code).toBe(0xc3);
  });
});

describe('power-draw quirks', () => {
  // Without: a deactivated meter's 0 reads as a host drawing 0 W (asleep, to the planner).
  it.each([['deactivated'], ['zero']] as const)('dcmi-reading-state %s: no 0 W reading', async (state) => {
    const sim = await quirkSim({ dcmiReadingState: state });
    const draw = await client(sim).powerDraw();
    expect(draw.watts).toBeNull();
    expect(draw.note).toMatch(state === 'zero' ? /0 W/ : /deactivated/);
    expect(await client(sim, { without: ['dcmi-reading-state'] }).powerDraw()).toMatchObject({ watts: 0, source: 'dcmi' });
  });

  it('dcmi-reading-state with a watts sensor: the SDR gives the draw instead', async () => {
    const sim = await quirkSim({ dcmiReadingState: 'deactivated', noDcmiWithWattsSensor: false, discreteAnalogSensor: false });
    sim.state.addSensor({
      spec: { recordId: WATTS_SENSOR, sensorNumber: WATTS_SENSOR, entityId: 0x07, entityInstance: 1, sensorType: 0x03, unit: 6, name: 'System Level', conversion: { m: 2, b: 0, rExp: 0, bExp: 0, format: 'unsigned', linearization: 0 }, thresholdsRaw: {} },
      read: (h) => h.power().watts,
    });
    const draw = await client(sim).powerDraw();
    expect(draw.source).toBe('sdr');
    expect(draw.watts).toBeCloseTo(sim.state.host.power().watts, -1);
    expect(draw.note).toContain('System Level');
  });

  // Without: a BMC without DCMI gives no draw though its SDR measures it.
  it('sdr-watts-fallback: no DCMI, the draw from "Pwr Consumption"', async () => {
    const sim = await quirkSim({ noDcmiWithWattsSensor: true });
    const draw = await client(sim).powerDraw();
    expect(draw).toMatchObject({ source: 'sdr' });
    expect(draw.watts).toBeGreaterThan(100);
    expect(draw.watts).toBeCloseTo(sim.state.host.power().watts, -1);
    expect(draw.note).toMatch(/no DCMI.*Pwr Consumption/);
    expect(await client(sim, { without: ['sdr-watts-fallback'] }).powerDraw()).toMatchObject({ watts: null, source: null });
  });
});
