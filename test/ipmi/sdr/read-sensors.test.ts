/** Reading sensors through a runner: which sensors are read, which get no value, which errors end the read. */
import { beforeEach, describe, expect, it } from 'vitest';
import { readSensors } from '../../../lib/ipmi/sdr/read-sensors.ts';
import { clearSdrCache } from '../../../lib/ipmi/sdr/read-repository.ts';
import { getSensorReading } from '../../../lib/ipmi/commands/get-sensor-reading.ts';
import { IpmiError } from '../../../lib/ipmi/errors.ts';
import { DEFAULT_QUIRKS, withoutQuirks } from '../../../lib/ipmi/quirks.ts';
import { fullSdr, genSensor } from './sdr-builder.ts';
import { repositoryBmc } from './scripted-repository.ts';
import { Refuse } from '../scripted-bmc.ts';

const KEY = { key: { host: '127.0.0.1', port: 623 } };
const reading = (raw: number) => ({ raw, eventMessagesEnabled: true, scanningEnabled: true, unavailable: false, state0: 0xc0 });

beforeEach(() => clearSdrCache());

describe('readSensors', () => {
  it('reads each sensor of the BMC and linearizes it', async () => {
    const bmc = repositoryBmc({ records: [fullSdr(genSensor('CPU1 Temp')), fullSdr(genSensor('System Temp'))] }).on(getSensorReading, (r) => reading(r.sensorNumber === 1 ? 45 : 65));
    const values = await readSensors(bmc, KEY);
    expect(values.map((v) => [v.name, v.value])).toEqual([
      ['CPU1 Temp', 45],
      ['System Temp', 25],
    ]);
  });

  it('filters by type name, and refuses an unknown type before asking the BMC anything', async () => {
    const fan = fullSdr({ ...genSensor('CPU2 Temp'), name: 'Fan1', sensorNumber: 9, sensorType: 0x04, baseUnit: 18 });
    const bmc = repositoryBmc({ records: [fullSdr(genSensor('CPU1 Temp')), fan] }).on(getSensorReading, () => reading(40));
    expect((await readSensors(bmc, KEY, { type: 'fan' })).map((v) => v.name)).toEqual(['Fan1']);
    const before = bmc.asked.length;
    await expect(readSensors(bmc, KEY, { type: 'humidity' })).rejects.toThrow(IpmiError);
    expect(bmc.asked.length).toBe(before);
  });

  it('a sensor behind another controller is read bridged to its owner and channel; without a reading now, no value', async () => {
    const remote = fullSdr(genSensor('CPU2 Temp'));
    remote[5] = 0x2c; // owned by another controller on the IPMB
    remote[6] = 0x60; // on channel 6, LUN 0
    const bmc = repositoryBmc({ records: [remote, fullSdr(genSensor('CPU1 Temp')), fullSdr(genSensor('PSU1 Temp'))] }).on(getSensorReading, (r) => {
      if (r.sensorNumber === 5) throw new Refuse(0xcb);
      return reading(45);
    });
    const values = await readSensors(bmc, KEY);
    expect(values.map((v) => [v.name, v.value])).toEqual([
      ['CPU2 Temp', 45],
      ['CPU1 Temp', 45],
      ['PSU1 Temp', null],
    ]);
    const asks = bmc.asked.flatMap((n, i) => (n === getSensorReading.name ? [bmc.options[i]] : []));
    expect(asks).toEqual([{ bridge: { channel: 6, address: 0x2c }, lun: 0 }, {}, {}]);
  });

  it('without the bridged-sensors quirk, a sensor behind another controller is not asked and has no value', async () => {
    const remote = fullSdr(genSensor('CPU2 Temp'));
    remote[5] = 0x2c;
    const bmc = repositoryBmc({ records: [remote, fullSdr(genSensor('CPU1 Temp'))] }).on(getSensorReading, () => reading(45));
    const values = await readSensors(bmc, { ...KEY, quirks: withoutQuirks(DEFAULT_QUIRKS, 'bridged-sensors') });
    expect(values.map((v) => v.value)).toEqual([null, 45]);
    expect(bmc.count(getSensorReading)).toBe(1);
  });

  it('an odd refusal makes that sensor unavailable; without the sensor-odd-code quirk it ends the read', async () => {
    const script = () =>
      repositoryBmc({ records: [fullSdr(genSensor('CPU1 Temp')), fullSdr(genSensor('System Temp'))] }).on(getSensorReading, (r) => {
        if (r.sensorNumber === 1) throw new Refuse(0xc3);
        return reading(65);
      });
    expect((await readSensors(script(), KEY)).map((v) => [v.name, v.value, v.status])).toEqual([
      ['CPU1 Temp', null, 'unavailable'],
      ['System Temp', 25, 'ok'],
    ]);
    clearSdrCache();
    await expect(readSensors(script(), { ...KEY, quirks: withoutQuirks(DEFAULT_QUIRKS, 'sensor-odd-code') })).rejects.toThrow(/0xc3/);
  });
});
