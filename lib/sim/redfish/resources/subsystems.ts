/**
 * The chassis' newer resources (Redfish 2020.4 on): ThermalSubsystem with ThermalMetrics and Fans,
 * PowerSubsystem with PowerSupplies, EnvironmentMetrics (TemperatureCelsius, PowerWatts) and the
 * Sensors collection with thresholds. Every excerpt points at its sensor (DataSourceUri), and all
 * come from the same readings as the older Thermal and Power.
 */
import { SIM_MANUFACTURER } from '../../ipmi/identity.ts';
import { errors } from '../errors.ts';
import { ok, type RedfishRequest, type Route } from '../router.ts';
import { FAN_MAX_RPM, type SensorDef, type SensorReading } from '../sensors.ts';
import { PSU, status } from './chassis.ts';
import { collection, link, resource, type Json } from './odata.ts';

const READING: Record<SensorDef['kind'], { type: string; units: string }> = {
  temperature: { type: 'Temperature', units: 'Cel' },
  fan: { type: 'Rotational', units: 'RPM' },
  voltage: { type: 'Voltage', units: 'V' },
  power: { type: 'Power', units: 'W' },
};

function thresholdsJson(d: SensorDef): Json {
  const t = d.thresholds;
  const out: Json = {};
  const put = (key: string, v: number | undefined): void => {
    if (v !== undefined) out[key] = { Reading: v };
  };
  put('LowerFatal', t.lowerFatal);
  put('LowerCritical', t.lowerCritical);
  put('LowerCaution', t.lowerCaution);
  put('UpperCaution', t.upperCaution);
  put('UpperCritical', t.upperCritical);
  put('UpperFatal', t.upperFatal);
  return out;
}

const fanPercent = (rpm: number | null): number | null => (rpm === null ? null : Math.round((rpm / FAN_MAX_RPM) * 1000) / 10);

export function subsystemRoutes(chassis: string): Route[] {
  const sensorPath = (d: SensorDef): string => `${chassis}/Sensors/${d.id}`;
  const excerpt = (r: SensorReading): Json => ({ DataSourceUri: sensorPath(r.def), Reading: r.value });
  const of = (readings: SensorReading[], kind: SensorDef['kind']): SensorReading[] => readings.filter((r) => r.def.kind === kind);
  const byName = (readings: SensorReading[], name: string): SensorReading => readings.find((r) => r.def.name === name) as SensorReading;
  const fanId = (r: SensorReading): string => r.def.name;

  const sensorJson = (r: SensorReading): Json =>
    resource('Sensor', sensorPath(r.def), r.def.id, r.def.name, {
      ReadingType: READING[r.def.kind].type,
      Reading: r.value,
      ReadingUnits: READING[r.def.kind].units,
      PhysicalContext: r.def.context,
      Status: status(r),
      Thresholds: thresholdsJson(r.def),
    });

  const fanJson = (r: SensorReading): Json =>
    resource('Fan', `${chassis}/ThermalSubsystem/Fans/${fanId(r)}`, fanId(r), r.def.name, {
      SpeedPercent: { DataSourceUri: sensorPath(r.def), Reading: fanPercent(r.value), SpeedRPM: r.value },
      PhysicalContext: 'Fan',
      Status: status(r),
    });

  const psuPath = `${chassis}/PowerSubsystem/PowerSupplies/${PSU.id}`;
  const ts = `${chassis}/ThermalSubsystem`;
  const ps = `${chassis}/PowerSubsystem`;

  return [
    {
      path: ts,
      handlers: {
        GET: () => ok(resource('ThermalSubsystem', ts, 'ThermalSubsystem', 'Thermal Subsystem', { ThermalMetrics: link(`${ts}/ThermalMetrics`), Fans: link(`${ts}/Fans`), Status: { State: 'Enabled', Health: 'OK' } })),
      },
    },
    {
      path: `${ts}/ThermalMetrics`,
      handlers: {
        GET: (s) => {
          const readings = s.readSensors();
          return ok(
            resource('ThermalMetrics', `${ts}/ThermalMetrics`, 'ThermalMetrics', 'Thermal Metrics', {
              TemperatureSummaryCelsius: { Intake: excerpt(byName(readings, 'Inlet Temp')), Internal: excerpt(byName(readings, 'System Temp')) },
              TemperatureReadingsCelsius: of(readings, 'temperature').map((r) => ({ ...excerpt(r), DeviceName: r.def.name })),
            }),
          );
        },
      },
    },
    { path: `${ts}/Fans`, handlers: { GET: (s) => ok(collection('FanCollection', `${ts}/Fans`, 'Fan Collection', of(s.readSensors(), 'fan').map((r) => `${ts}/Fans/${fanId(r)}`))) } },
    {
      path: `${ts}/Fans/:fan`,
      handlers: {
        GET: (s, req: RedfishRequest) => {
          const r = of(s.readSensors(), 'fan').find((f) => fanId(f) === req.params.fan);
          if (!r) throw errors.notFound(req.path);
          return ok(fanJson(r));
        },
      },
    },
    {
      path: ps,
      handlers: {
        GET: () => ok(resource('PowerSubsystem', ps, 'PowerSubsystem', 'Power Subsystem', { CapacityWatts: PSU.capacityWatts, PowerSupplies: link(`${ps}/PowerSupplies`), Status: { State: 'Enabled', Health: 'OK' } })),
      },
    },
    { path: `${ps}/PowerSupplies`, handlers: { GET: () => ok(collection('PowerSupplyCollection', `${ps}/PowerSupplies`, 'Power Supply Collection', [psuPath])) } },
    {
      path: psuPath,
      handlers: {
        GET: (s) =>
          ok(
            resource('PowerSupply', psuPath, PSU.id, PSU.id, {
              PowerSupplyType: 'AC',
              PowerCapacityWatts: PSU.capacityWatts,
              Manufacturer: SIM_MANUFACTURER,
              Model: 'LPSIM-PSU-800',
              SerialNumber: `${s.identity.chassisSerial}-${PSU.id}`,
              Status: { State: 'Enabled', Health: 'OK' },
            }),
          ),
      },
    },
    {
      path: `${chassis}/EnvironmentMetrics`,
      handlers: {
        GET: (s) => {
          const readings = s.readSensors();
          return ok(
            resource('EnvironmentMetrics', `${chassis}/EnvironmentMetrics`, 'EnvironmentMetrics', 'Chassis Environment Metrics', {
              TemperatureCelsius: excerpt(byName(readings, 'Inlet Temp')),
              PowerWatts: excerpt(of(readings, 'power')[0]),
              FanSpeedsPercent: of(readings, 'fan').map((r) => ({ DataSourceUri: sensorPath(r.def), DeviceName: r.def.name, Reading: fanPercent(r.value) })),
            }),
          );
        },
      },
    },
    { path: `${chassis}/Sensors`, handlers: { GET: (s) => ok(collection('SensorCollection', `${chassis}/Sensors`, 'Sensor Collection', s.readSensors().map((r) => sensorPath(r.def)))) } },
    {
      path: `${chassis}/Sensors/:sensor`,
      handlers: {
        GET: (s, req) => {
          const r = s.readSensors().find((x) => x.def.id === req.params.sensor);
          if (!r) throw errors.notFound(req.path);
          return ok(sensorJson(r));
        },
      },
    },
  ];
}
