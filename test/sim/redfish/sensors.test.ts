/**
 * Thermal and power data from the machine model: temperatures rise while on and fall toward the
 * inlet while off, watts follow the power state, both resource generations give the same values at
 * the same moment, thresholds in both, crossings in the SEL; and the identity the BMC reports is
 * the one the IPMI simulator reports for the same name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalGuid } from '../../../lib/ipmi/guid.ts';
import { simIdentityFor } from '../../../lib/sim/ipmi/identity.ts';
import type { RedfishBmc } from '../../../lib/sim/redfish/index.ts';
import { call, ManualClock, startBmc } from './support.ts';

let bmc: RedfishBmc | undefined;
afterEach(async () => {
  await bmc?.stop();
  bmc = undefined;
});

const C = '/redfish/v1/Chassis/1';
const get = async (b: RedfishBmc, path: string) => (await call(b, 'GET', path)).json;
const reset = (b: RedfishBmc, ResetType: string) => call(b, 'POST', '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset', { body: { ResetType } });
const thermalTemps = async (b: RedfishBmc): Promise<Record<string, number | null>> =>
  Object.fromEntries((await get(b, `${C}/Thermal`)).Temperatures.map((t: { Name: string; ReadingCelsius: number | null }) => [t.Name, t.ReadingCelsius]));

describe('thermal model', () => {
  it('temperatures rise while on and fall back toward the inlet while off', async () => {
    const clock = new ManualClock();
    // Start cold, as a machine just powered: its CPUs at the inlet temperature.
    bmc = await startBmc({ clock, host: { initiallyOn: false, inletC: 22, load: 0.6 } });
    const cold = await thermalTemps(bmc);
    expect(cold['CPU1 Temp']).toBe(22);
    await reset(bmc, 'On');
    clock.advance(1_000);
    const warming = await thermalTemps(bmc);
    clock.advance(10_000);
    const warm = await thermalTemps(bmc);
    expect(warming['CPU1 Temp']).toBeGreaterThan(cold['CPU1 Temp'] as number);
    expect(warm['CPU1 Temp']).toBeGreaterThan(warming['CPU1 Temp'] as number);
    expect(warm['CPU1 Temp']).toBeCloseTo(22 + 18 + 45 * 0.6, 0);
    expect(warm['Inlet Temp']).toBe(22);
    await reset(bmc, 'ForceOff');
    clock.advance(1_000);
    const cooling = await thermalTemps(bmc);
    clock.advance(20_000);
    const cooled = await thermalTemps(bmc);
    expect(cooling['CPU1 Temp']).toBeLessThan(warm['CPU1 Temp'] as number);
    expect(cooled['CPU1 Temp']).toBeLessThan(cooling['CPU1 Temp'] as number);
    expect(cooled['CPU1 Temp']).toBeCloseTo(22, 0);
  });

  it('fans and rails read nothing while off (StandbyOffline); watts drop to standby', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, host: { peakWatts: 400, idleFraction: 0.5, standbyWatts: 9, load: 0.5 } });
    const onPower = await get(bmc, `${C}/Power`);
    expect(onPower.PowerControl[0].PowerConsumedWatts).toBe(300);
    expect(onPower.PowerControl[0].PowerCapacityWatts).toBe(400);
    expect(onPower.Voltages.map((v: { ReadingVolts: number }) => v.ReadingVolts)).toEqual([12, 3.3]);
    const onThermal = await get(bmc, `${C}/Thermal`);
    expect(onThermal.Fans[0]).toMatchObject({ Name: 'Fan1', Reading: 6500, ReadingUnits: 'RPM', LowerThresholdCritical: 900, Status: { State: 'Enabled', Health: 'OK' } });
    await reset(bmc, 'ForceOff');
    clock.advance(60_000);
    const offPower = await get(bmc, `${C}/Power`);
    expect(offPower.PowerControl[0].PowerConsumedWatts).toBe(9);
    expect(offPower.PowerControl[0].PowerMetrics).toMatchObject({ MinConsumedWatts: 9, MaxConsumedWatts: 300 });
    expect(offPower.PowerSupplies[0].LastPowerOutputWatts).toBe(9);
    expect(offPower.Voltages[0]).toMatchObject({ ReadingVolts: null, Status: { State: 'StandbyOffline' } });
    const offFan = (await get(bmc, `${C}/Thermal`)).Fans[0];
    expect(offFan).toMatchObject({ Reading: null, Status: { State: 'StandbyOffline' } });
    expect((await get(bmc, `${C}/ThermalSubsystem/Fans/Fan1`)).SpeedPercent).toEqual({ DataSourceUri: `${C}/Sensors/fan_Fan1`, Reading: null, SpeedRPM: null });
  });

  it('the older and the newer resources give the same values at the same moment', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, host: { load: 0.45, inletC: 24 } });
    await reset(bmc, 'ForceOff');
    clock.advance(700); // mid-way down: temperatures are neither at target nor at inlet
    const thermal = await get(bmc, `${C}/Thermal`);
    const metrics = await get(bmc, `${C}/ThermalSubsystem/ThermalMetrics`);
    const env = await get(bmc, `${C}/EnvironmentMetrics`);
    const power = await get(bmc, `${C}/Power`);
    const sensors = await get(bmc, `${C}/Sensors`);
    const byId: Record<string, { Reading: number | null; Thresholds: Record<string, { Reading: number }>; ReadingUnits: string }> = {};
    for (const m of sensors.Members) byId[m['@odata.id']] = await get(bmc, m['@odata.id']);
    expect(Object.keys(byId)).toHaveLength(9);

    for (const t of thermal.Temperatures) {
      const reading = metrics.TemperatureReadingsCelsius.find((r: { DeviceName: string }) => r.DeviceName === t.Name);
      expect(reading.Reading).toBe(t.ReadingCelsius);
      const sensor = byId[reading.DataSourceUri];
      expect(sensor.Reading).toBe(t.ReadingCelsius);
      expect(sensor.ReadingUnits).toBe('Cel');
      expect(sensor.Thresholds.UpperCaution.Reading).toBe(t.UpperThresholdNonCritical);
      expect(sensor.Thresholds.UpperCritical.Reading).toBe(t.UpperThresholdCritical);
      expect(sensor.Thresholds.UpperFatal.Reading).toBe(t.UpperThresholdFatal);
    }
    const inlet = thermal.Temperatures.find((t: { Name: string }) => t.Name === 'Inlet Temp');
    expect(env.TemperatureCelsius).toEqual({ DataSourceUri: `${C}/Sensors/temperature_Inlet_Temp`, Reading: inlet.ReadingCelsius });
    expect(metrics.TemperatureSummaryCelsius.Intake.Reading).toBe(inlet.ReadingCelsius);
    expect(env.PowerWatts.Reading).toBe(power.PowerControl[0].PowerConsumedWatts);
    expect(byId[env.PowerWatts.DataSourceUri].Reading).toBe(power.PowerControl[0].PowerConsumedWatts);
    const cpu1 = thermal.Temperatures[0].ReadingCelsius;
    expect(cpu1).toBeGreaterThan(24.5);
    expect(cpu1).toBeLessThan(24 + 18 + 45 * 0.45 - 0.5);
    for (const v of power.Voltages) expect(byId[`${C}/Sensors/voltage_${v.Name.replace(/\W+/g, '_')}`].Thresholds.LowerCritical.Reading).toBe(v.LowerThresholdCritical);
  });

  it('temperature threshold crossings are asserted and deasserted in the SEL', async () => {
    const clock = new ManualClock();
    // A hot room and a busy machine: the CPUs head for 35 + 18 + 45 = 98 C, past caution (85) and critical (95).
    bmc = await startBmc({ clock, host: { inletC: 35, load: 1, initiallyOn: false } });
    await reset(bmc, 'On');
    for (let i = 0; i < 20; i++) {
      clock.advance(1_000);
      await get(bmc, `${C}/Sensors/temperature_CPU1_Temp`);
    }
    const hot = await get(bmc, `${C}/Thermal`);
    expect(hot.Temperatures[0]).toMatchObject({ Name: 'CPU1 Temp', Status: { Health: 'Critical' } });
    await reset(bmc, 'ForceOff');
    clock.advance(30_000);
    const entries = (await get(bmc, '/redfish/v1/Managers/1/LogServices/SEL/Entries')).Members.filter((e: { SensorType: string }) => e.SensorType === 'Temperature');
    const cpu1 = entries.filter((e: { SensorNumber: number }) => e.SensorNumber === 1);
    expect(cpu1.map((e: { EntryCode: string; Message: string }) => `${e.EntryCode} ${e.Message.replace(/, reading .*/, '')}`)).toEqual([
      'Assert CPU1 Temp: upper caution threshold 85 C crossed going high',
      'Assert CPU1 Temp: upper critical threshold 95 C crossed going high',
      'Deassert CPU1 Temp: upper critical threshold 95 C crossed going low',
      'Deassert CPU1 Temp: upper caution threshold 85 C crossed going low',
    ]);
    expect(cpu1.map((e: { Severity: string }) => e.Severity)).toEqual(['Warning', 'Critical', 'OK', 'OK']);
    // The inlet stayed below its 38 C caution: nothing logged for it.
    expect(entries.filter((e: { SensorNumber: number }) => e.SensorNumber === 3)).toEqual([]);
  });
});

describe('identity', () => {
  it('serial, UUID and chassis serial are the IPMI simulator’s for the same name', async () => {
    bmc = await startBmc({ name: 'host-042' });
    const id = simIdentityFor('host-042');
    const sys = await get(bmc, '/redfish/v1/Systems/1');
    expect(sys).toMatchObject({ SerialNumber: id.productSerial, UUID: canonicalGuid(id.guid), Manufacturer: 'lowpower-sim', Model: 'lowpower simulated host', HostName: 'host-042' });
    expect(sys.SerialNumber).toBe('LPSIM-host-042');
    expect((await get(bmc, C)).SerialNumber).toBe(id.chassisSerial);
    const other = await startBmc({ name: 'host-043' });
    try {
      expect((await get(other, '/redfish/v1/Systems/1')).UUID).not.toBe(sys.UUID);
    } finally {
      await other.stop();
    }
  });
});
