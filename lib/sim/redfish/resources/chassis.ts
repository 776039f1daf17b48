/**
 * The Chassis collection, the chassis, and its older Thermal and Power resources (deprecated in
 * Redfish 2020.4 but what most BMCs in service and most clients, redfishtool and sushy among them,
 * still read): temperatures with their thresholds, fans, PowerControl with the consumed watts,
 * voltages and the power supply.
 */
import { SIM_MANUFACTURER } from '../../ipmi/identity.ts';
import { ok, type Route } from '../router.ts';
import type { SensorReading } from '../sensors.ts';
import type { RedfishBmcState } from '../state.ts';
import { collection, link, resource, resourcePaths, ROOT, type Json } from './odata.ts';

/** The one power supply of a simulated machine. */
export const PSU = { id: 'PSU1', capacityWatts: 800, lineInputVolts: 230 } as const;

export function status(r: SensorReading): Json {
  return { State: r.value === null ? 'StandbyOffline' : 'Enabled', Health: r.health };
}

function chassisJson(state: RedfishBmcState): Json {
  const p = resourcePaths(state.o.ids);
  const c = p.chassis;
  return resource('Chassis', c, state.o.ids.chassis, 'Chassis', {
    ChassisType: 'RackMount',
    Manufacturer: SIM_MANUFACTURER,
    Model: 'lowpower simulated chassis',
    SerialNumber: state.identity.chassisSerial,
    PartNumber: 'LPSIM-CH-1U',
    PowerState: state.power.powerOn ? 'On' : 'Off',
    Status: { State: 'Enabled', Health: 'OK' },
    Thermal: link(`${c}/Thermal`),
    Power: link(`${c}/Power`),
    ThermalSubsystem: link(`${c}/ThermalSubsystem`),
    PowerSubsystem: link(`${c}/PowerSubsystem`),
    EnvironmentMetrics: link(`${c}/EnvironmentMetrics`),
    Sensors: link(`${c}/Sensors`),
    Links: { ComputerSystems: [link(p.system)], ManagedBy: [link(p.manager)] },
  });
}

function thermalJson(state: RedfishBmcState, readings: SensorReading[]): Json {
  const path = `${resourcePaths(state.o.ids).chassis}/Thermal`;
  const temps = readings.filter((r) => r.def.kind === 'temperature');
  const fans = readings.filter((r) => r.def.kind === 'fan');
  return resource('Thermal', path, 'Thermal', 'Thermal', {
    Temperatures: temps.map((r, i) => ({
      '@odata.id': `${path}#/Temperatures/${i}`,
      MemberId: String(i),
      Name: r.def.name,
      SensorNumber: r.def.number,
      ReadingCelsius: r.value,
      UpperThresholdNonCritical: r.def.thresholds.upperCaution,
      UpperThresholdCritical: r.def.thresholds.upperCritical,
      UpperThresholdFatal: r.def.thresholds.upperFatal,
      MinReadingRangeTemp: 0,
      MaxReadingRangeTemp: 127,
      PhysicalContext: r.def.context,
      Status: status(r),
    })),
    Fans: fans.map((r, i) => ({
      '@odata.id': `${path}#/Fans/${i}`,
      MemberId: String(i),
      Name: r.def.name,
      SensorNumber: r.def.number,
      Reading: r.value,
      ReadingUnits: 'RPM',
      LowerThresholdNonCritical: r.def.thresholds.lowerCaution,
      LowerThresholdCritical: r.def.thresholds.lowerCritical,
      LowerThresholdFatal: r.def.thresholds.lowerFatal,
      PhysicalContext: 'Fan',
      Status: status(r),
    })),
  });
}

function powerJson(state: RedfishBmcState, readings: SensorReading[]): Json {
  const path = `${resourcePaths(state.o.ids).chassis}/Power`;
  const stats = state.host.power();
  const watts = readings.find((r) => r.def.kind === 'power')?.value ?? stats.watts;
  return resource('Power', path, 'Power', 'Power', {
    PowerControl: [
      {
        '@odata.id': `${path}#/PowerControl/0`,
        MemberId: '0',
        Name: 'System Power Control',
        PowerConsumedWatts: watts,
        PowerCapacityWatts: state.hostOptions.peakWatts,
        PowerMetrics: { IntervalInMin: Math.max(1, Math.round(stats.periodMs / 60_000)), MinConsumedWatts: stats.min, MaxConsumedWatts: stats.max, AverageConsumedWatts: stats.average },
        Status: { State: 'Enabled', Health: 'OK' },
      },
    ],
    Voltages: readings
      .filter((r) => r.def.kind === 'voltage')
      .map((r, i) => ({
        '@odata.id': `${path}#/Voltages/${i}`,
        MemberId: String(i),
        Name: r.def.name,
        SensorNumber: r.def.number,
        ReadingVolts: r.value,
        UpperThresholdNonCritical: r.def.thresholds.upperCaution,
        UpperThresholdCritical: r.def.thresholds.upperCritical,
        LowerThresholdNonCritical: r.def.thresholds.lowerCaution,
        LowerThresholdCritical: r.def.thresholds.lowerCritical,
        PhysicalContext: r.def.context,
        Status: status(r),
      })),
    PowerSupplies: [
      {
        '@odata.id': `${path}#/PowerSupplies/0`,
        MemberId: '0',
        Name: PSU.id,
        PowerSupplyType: 'AC',
        LineInputVoltage: PSU.lineInputVolts,
        PowerCapacityWatts: PSU.capacityWatts,
        LastPowerOutputWatts: watts,
        Manufacturer: SIM_MANUFACTURER,
        Model: 'LPSIM-PSU-800',
        SerialNumber: `${state.identity.chassisSerial}-${PSU.id}`,
        Status: { State: 'Enabled', Health: 'OK' },
      },
    ],
  });
}

export function chassisRoutes(state: RedfishBmcState): Route[] {
  const c = resourcePaths(state.o.ids).chassis;
  return [
    { path: `${ROOT}/Chassis`, handlers: { GET: () => ok(collection('ChassisCollection', `${ROOT}/Chassis`, 'Chassis Collection', [c])) } },
    { path: c, handlers: { GET: (s) => ok(chassisJson(s)) } },
    { path: `${c}/Thermal`, handlers: { GET: (s) => ok(thermalJson(s, s.readSensors())) } },
    { path: `${c}/Power`, handlers: { GET: (s) => ok(powerJson(s, s.readSensors())) } },
  ];
}
