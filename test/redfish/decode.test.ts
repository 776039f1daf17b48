/**
 * The pure parts of the Redfish client: sensors of both generations in the IPMI side's shape,
 * counted once; event log entries; reset plans; power state and restore policy names; error
 * messages; fingerprints; the loopback rule for plain http; links to other hosts.
 */
import { describe, expect, it } from 'vitest';
import { describeMessages, RedfishHttpError, RedfishNotSupportedError, redfishMessages } from '../../lib/redfish/errors.ts';
import { decodeLogEntry } from '../../lib/redfish/event-log.ts';
import { identityOf } from '../../lib/redfish/identity.ts';
import { normalizeFingerprint, planReset, powerStateOf, restorePolicyOf, isLoopback, RedfishClient } from '../../lib/redfish/index.ts';
import { dedupeSensors, normalizeKey } from '../../lib/redfish/sensors/dedupe.ts';
import { environmentSensors, fanSensors, powerSupplyMetricsSensors, thermalMetricsSensors } from '../../lib/redfish/sensors/excerpts.ts';
import { powerSensors, thermalSensors } from '../../lib/redfish/sensors/legacy.ts';
import { sensorFromResource } from '../../lib/redfish/sensors/sensor-resource.ts';
import { thresholdStatus } from '../../lib/redfish/sensors/sensor-view.ts';
import { pathOf, resolveEndpoint } from '../../lib/redfish/transport/endpoint.ts';
import { powerControlWatts } from '../../lib/redfish/watts.ts';

describe('sensors: the older Thermal and Power', () => {
  it('maps readings, units and NonCritical/Critical/Fatal thresholds to IPMI names, and status from them', () => {
    const s = thermalSensors({
      '@odata.id': '/redfish/v1/Chassis/1/Thermal',
      Temperatures: [
        { Name: 'CPU1 Temp', ReadingCelsius: 91, UpperThresholdNonCritical: 80, UpperThresholdCritical: 90, UpperThresholdFatal: 95, LowerThresholdNonCritical: 5, LowerThresholdCritical: 2, LowerThresholdFatal: 0, Status: { State: 'Enabled', Health: 'Critical' } },
        { Name: 'CPU2 Temp', Status: { State: 'Absent' }, UpperThresholdCritical: 90 },
      ],
      Fans: [
        { FanName: 'Fan A', ReadingRPM: 300, LowerThresholdCritical: 400 },
        { Name: 'Fan B', Reading: 40, ReadingUnits: 'Percent' },
      ],
    });
    expect(s.map(({ key: _key, ...v }) => v)).toEqual([
      { name: 'CPU1 Temp', type: 'temperature', value: 91, unit: 'degrees C', status: 'ucr', thresholds: { unc: 80, ucr: 90, unr: 95, lnc: 5, lcr: 2, lnr: 0 } },
      { name: 'CPU2 Temp', type: 'temperature', value: null, unit: 'degrees C', status: 'unavailable', thresholds: { ucr: 90 } },
      { name: 'Fan A', type: 'fan', value: 300, unit: 'RPM', status: 'lcr', thresholds: { lcr: 400 } },
      { name: 'Fan B', type: 'fan', value: 40, unit: 'percent', status: 'ok', thresholds: {} },
    ]);
    expect(s[0].key).toBe('/redfish/v1/Chassis/1/Thermal#/Temperatures/0');
  });

  it('reads watts from PowerControl, volts with thresholds, and supplies by the watts they report', () => {
    const power = {
      PowerControl: [{ Name: 'Absent', PowerConsumedWatts: 1, Status: { State: 'Absent' } }, { Name: 'System Input Power', PowerConsumedWatts: 344 }],
      Voltages: [{ Name: '12V', ReadingVolts: 11.2, LowerThresholdNonCritical: 11.5, LowerThresholdCritical: 11 }],
      PowerSupplies: [{ Name: 'PSU1', PowerInputWatts: 180, LastPowerOutputWatts: 160 }, { Name: 'PSU2', Status: { State: 'Absent' } }],
    };
    const s = powerSensors(power);
    expect(s.map((x) => [x.name, x.type, x.value, x.unit, x.status])).toEqual([
      ['Absent', 'power', null, 'Watts', 'unavailable'],
      ['System Input Power', 'power', 344, 'Watts', 'ok'],
      ['12V', 'voltage', 11.2, 'Volts', 'lnc'],
      ['PSU1 Input Power', 'power', 180, 'Watts', 'ok'],
      ['PSU1 Output Power', 'power', 160, 'Watts', 'ok'],
    ]);
    expect(powerControlWatts(power)).toBe(344);
    expect(powerControlWatts({ PowerControl: [{ Name: 'x', PowerConsumedWatts: null }] })).toBeUndefined();
  });
});

describe('sensors: the Sensor resource and the subsystem excerpts', () => {
  it('maps Thresholds.{Upper,Lower}{Caution,Critical,Fatal} and leaves the *User settings out', () => {
    const s = sensorFromResource({
      '@odata.id': '/redfish/v1/Chassis/1U/Sensors/CPU1Temp',
      Name: 'CPU #1 Temperature',
      Reading: 46,
      ReadingUnits: 'Cel',
      Thresholds: { UpperCaution: { Reading: 42 }, UpperCautionUser: { Reading: 40 }, UpperCritical: { Reading: 45 }, UpperFatal: { Reading: 50 }, LowerCaution: { Reading: 5 } },
      Status: { State: 'Enabled' },
    });
    expect(s).toEqual({ name: 'CPU #1 Temperature', type: 'temperature', value: 46, unit: 'degrees C', status: 'ucr', thresholds: { unc: 42, ucr: 45, unr: 50, lnc: 5 }, key: '/redfish/v1/Chassis/1U/Sensors/CPU1Temp' });
  });

  it('types a sensor by ReadingType, else by unit; a percentage is a fan only when it names one', () => {
    const t = (x: Record<string, unknown>) => sensorFromResource({ Name: 'x', Reading: 1, ...x }).type;
    expect(t({ ReadingType: 'Voltage', ReadingUnits: 'V' })).toBe('voltage');
    expect(t({ ReadingUnits: 'A' })).toBe('current');
    expect(t({ ReadingType: 'Power', ReadingUnits: 'W' })).toBe('power');
    expect(t({ ReadingType: 'Rotational', ReadingUnits: 'RPM' })).toBe('fan');
    expect(t({ ReadingType: 'Percent', ReadingUnits: '%', Name: 'CPU #1 Fan Speed' })).toBe('fan');
    expect(t({ ReadingType: 'Percent', ReadingUnits: '%', Name: 'Battery Health' })).toBe('other units');
    expect(t({ ReadingType: 'EnergykWh', ReadingUnits: 'kW.h' })).toBe('energy');
    // An absent sensor gives no unit: its type's unit stands in.
    expect(sensorFromResource({ Name: 'PS2 Vin', ReadingType: 'Voltage', Status: { State: 'Absent' } })).toMatchObject({ unit: 'Volts', value: null, status: 'unavailable' });
  });

  it('reads ThermalMetrics, Fans, PowerSupplyMetrics and EnvironmentMetrics excerpts with their DataSourceUri', () => {
    expect(thermalMetricsSensors({ TemperatureReadingsCelsius: [{ DeviceName: 'Intake', Reading: 24.8, DataSourceUri: '/S/Intake' }], TemperatureSummaryCelsius: { Internal: { Reading: 39, DataSourceUri: '/S/CPU1' } } })).toEqual([
      { name: 'Intake', type: 'temperature', value: 24.8, unit: 'degrees C', status: 'ok', thresholds: {}, key: '/S/Intake' },
      { name: 'Internal Temperature', type: 'temperature', value: 39, unit: 'degrees C', status: 'ok', thresholds: {}, key: '/S/CPU1' },
    ]);
    expect(fanSensors({ Name: 'Fan Bay 1', SpeedPercent: { Reading: 45, DataSourceUri: '/S/FanBay1' }, Status: { State: 'Enabled' } })[0]).toMatchObject({ type: 'fan', value: 45, unit: 'percent', key: '/S/FanBay1' });
    expect(powerSupplyMetricsSensors('PSU 1', { InputVoltage: { Reading: 230.2 }, InputPowerWatts: { Reading: 937.4, DataSourceUri: '/S/PS1InputPower' } }).map((s) => [s.name, s.type, s.value])).toEqual([
      ['PSU 1 Input Voltage', 'voltage', 230.2],
      ['PSU 1 Input Power', 'power', 937.4],
    ]);
    expect(environmentSensors({ TemperatureCelsius: { Reading: 39 }, PowerWatts: { Reading: 374 } }).map((s) => [s.name, s.value, s.unit])).toEqual([
      ['Environment Temperature', 39, 'degrees C'],
      ['Environment Power', 374, 'Watts'],
    ]);
  });

  it('counts a sensor seen through two resources once: by resource, by DataSourceUri, by name across generations', () => {
    const sensor = sensorFromResource({ '@odata.id': '/redfish/v1/Chassis/1/Sensors/Intake', Name: 'Inlet Temp', Reading: 22, ReadingUnits: 'Cel' });
    const again = { ...sensor, key: 'https://10.0.0.9/redfish/v1/Chassis/1/Sensors/Intake/' };
    const excerpt = thermalMetricsSensors({ TemperatureReadingsCelsius: [{ DeviceName: 'Intake', Reading: 22, DataSourceUri: '/redfish/v1/Chassis/1/Sensors/Intake' }] });
    const legacy = thermalSensors({ '@odata.id': '/T', Temperatures: [{ Name: 'inlet  temp', ReadingCelsius: 22 }, { Name: 'Exhaust Temp', ReadingCelsius: 40 }] });
    const out = dedupeSensors([[sensor, again], legacy, excerpt]);
    expect(out.map((s) => s.name)).toEqual(['Inlet Temp', 'Exhaust Temp']);
    expect(out[0]).not.toHaveProperty('key');
    expect(normalizeKey('https://h:443/redfish/v1/X/#/Fans/0')).toBe('/redfish/v1/X#/Fans/0');
  });

  it('threshold status is worst first, as the IPMI side computes it', () => {
    const t = { lnr: 0, lcr: 5, lnc: 10, unc: 30, ucr: 40, unr: 50 };
    expect([-1, 3, 8, 20, 35, 45, 55].map((v) => thresholdStatus(v, t))).toEqual(['lnr', 'lcr', 'lnc', 'ok', 'unc', 'ucr', 'unr']);
  });
});

describe('event log entries in the SelView shape', () => {
  it('decodes id, ISO time, sensor type, message and direction where the entry gives it', () => {
    expect(decodeLogEntry({ Id: '17', Created: '2012-03-07T14:44:00+06:00', SensorType: 'Temperature', EntryCode: 'Assert', Message: 'Temperature threshold exceeded' }, 0)).toEqual({
      id: 17,
      timestamp: '2012-03-07T08:44:00.000Z',
      sensor: 'temperature',
      event: 'Temperature threshold exceeded',
      direction: 'assertion',
    });
    expect(decodeLogEntry({ Id: 'Sel-8', EntryCode: 'Deassert', MessageId: 'Event.1.0.X' }, 3)).toEqual({ id: 8, timestamp: null, sensor: null, event: 'Event.1.0.X', direction: 'deassertion' });
    expect(decodeLogEntry({ Id: 'abc', Created: 'not a time', EntryCode: 'Upper Critical - going high' }, 4)).toMatchObject({ id: 5, timestamp: null, direction: null, event: '(no message)' });
  });
});

describe('reset plans', () => {
  const all = ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn', 'PushPowerButton', 'PowerCycle'];
  it('picks On / ForceOff / GracefulShutdown / PowerCycle where offered, and the fallbacks where not', () => {
    expect(planReset('on', all, 'b')).toEqual({ kind: 'one', type: 'On' });
    expect(planReset('on', ['ForceOn', 'ForceOff'], 'b')).toEqual({ kind: 'one', type: 'ForceOn' });
    expect(planReset('off', all, 'b')).toEqual({ kind: 'one', type: 'ForceOff' });
    expect(planReset('soft', all, 'b')).toEqual({ kind: 'one', type: 'GracefulShutdown' });
    expect(planReset('soft', ['On', 'PushPowerButton'], 'b')).toEqual({ kind: 'one', type: 'PushPowerButton' });
    expect(planReset('cycle', all, 'b')).toEqual({ kind: 'one', type: 'PowerCycle' });
    expect(planReset('cycle', ['On', 'ForceOff', 'ForceRestart', 'GracefulRestart'], 'b')).toEqual({ kind: 'off-then-on', off: 'ForceOff', on: 'On' });
    expect(planReset('on', null, 'b')).toEqual({ kind: 'one', type: 'On' });
  });

  it('never takes ForceRestart or GracefulRestart for a cycle, and names what the BMC offers', () => {
    expect(() => planReset('cycle', ['ForceRestart', 'GracefulRestart', 'On'], 'bmc1:443')).toThrow(RedfishNotSupportedError);
    expect(() => planReset('cycle', ['ForceRestart', 'GracefulRestart', 'On'], 'bmc1:443')).toThrow(/bmc1:443: .*'cycle'.*it offers ForceRestart, GracefulRestart, On/);
    expect(() => planReset('off', ['On', 'GracefulShutdown'], 'b')).toThrow(/needs ForceOff; it offers On, GracefulShutdown/);
  });
});

describe('names and rules', () => {
  it('power state: On and Off only; transitions and absence are unknown, with the time observed', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    expect(powerStateOf({ PowerState: 'On' }, at)).toEqual({ power: 'on', raw: 'On', observedAt: '2026-01-02T03:04:05.000Z' });
    expect(powerStateOf({ PowerState: 'Off' }, at).power).toBe('off');
    expect(['PoweringOn', 'PoweringOff', 'Paused'].map((p) => powerStateOf({ PowerState: p }, at).power)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(powerStateOf({}, at)).toMatchObject({ power: 'unknown', raw: null });
  });

  it('restore policy names', () => {
    expect(['AlwaysOn', 'AlwaysOff', 'LastState', 'Other', undefined].map(restorePolicyOf)).toEqual(['always-on', 'always-off', 'previous', 'unknown', 'unknown']);
  });

  it('identity: the system serial, else the chassis serial; the UUID lower-cased; nothing invented', () => {
    expect(identityOf('/S', { SerialNumber: ' ', UUID: 'ABCDEF01-0000-1111-2222-333344445555', Model: 'M' }, { SerialNumber: 'CH-1' })).toEqual({ systemPath: '/S', serialNumber: 'CH-1', chassisSerial: 'CH-1', uuid: 'abcdef01-0000-1111-2222-333344445555', model: 'M' });
  });

  it('Redfish error bodies become messages with MessageId and Resolution', () => {
    const body = { error: { code: 'Base.1.8.GeneralError', message: 'See ExtendedInfo', '@Message.ExtendedInfo': [{ MessageId: 'Base.1.8.PropertyValueNotInList', Message: "The value 'X' is not in the list.", Resolution: 'Choose a value from the enumeration list.' }] } };
    const m = redfishMessages(body);
    expect(m).toEqual([{ messageId: 'Base.1.8.PropertyValueNotInList', message: "The value 'X' is not in the list.", resolution: 'Choose a value from the enumeration list.', severity: undefined }]);
    const e = new RedfishHttpError('10.0.0.9:443', 'PATCH', '/redfish/v1/Systems/1', 400, m);
    expect(e.message).toBe("10.0.0.9:443: PATCH /redfish/v1/Systems/1 answered HTTP 400: The value 'X' is not in the list. [Base.1.8.PropertyValueNotInList] (Choose a value from the enumeration list.)");
    expect(e.status).toBe(400);
    expect(redfishMessages({ error: { code: 'Oem.Busy', message: 'busy' } })).toEqual([{ messageId: 'Oem.Busy', message: 'busy' }]);
    expect(describeMessages([])).toBe('');
  });

  it('fingerprints are compared in one form', () => {
    const hex = 'ab'.repeat(32);
    expect(normalizeFingerprint(hex)).toBe(Array(32).fill('AB').join(':'));
    expect(normalizeFingerprint(`sha256 Fingerprint=${Array(32).fill('ab').join(':')}`)).toBe(normalizeFingerprint(hex));
    expect(() => normalizeFingerprint('abcd')).toThrow(/not a SHA-256 fingerprint/);
  });

  it('plain http only to loopback; the refusal comes before any connection', () => {
    expect(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost') && isLoopback('127.8.9.10')).toBe(true);
    expect(isLoopback('10.0.0.1') || isLoopback('128.0.0.1') || isLoopback('bmc.example')).toBe(false);
    expect(() => new RedfishClient({ host: '10.0.0.1', protocol: 'http', username: 'u', password: 'p' })).toThrow(/plain http is allowed only to a loopback address/);
    expect(resolveEndpoint({ host: '10.0.0.1' })).toEqual({ host: '10.0.0.1', port: 443, protocol: 'https', label: '10.0.0.1:443' });
  });

  it('links become paths on this BMC: an absolute URL counts by its path, whatever host it names', () => {
    const ep = resolveEndpoint({ host: '10.0.0.9' });
    expect(pathOf('/redfish/v1/Systems/1', ep)).toBe('/redfish/v1/Systems/1');
    expect(pathOf('https://10.0.0.9/redfish/v1/TaskService/Tasks/4?x=1', ep)).toBe('/redfish/v1/TaskService/Tasks/4?x=1');
    // iLO writes its own host name into Location headers: the path is taken, the host never contacted.
    expect(pathOf('https://ilo-rack3.example/redfish/v1/SessionService/Sessions/7', ep)).toBe('/redfish/v1/SessionService/Sessions/7');
    expect(() => pathOf('ftp://10.0.0.9/x', ep)).toThrow(/not an http\(s\) URL/);
    expect(() => pathOf('Systems/1', ep)).toThrow(/neither a path nor a URL/);
  });
});
