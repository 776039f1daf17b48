/** Reading sensors through a runner: which sensors are read, which get no value, which errors end the read. */
import { beforeEach, describe, expect, it } from 'vitest';
import { readSensors } from '../../../lib/ipmi/sdr/read-sensors.ts';
import { clearSdrCache } from '../../../lib/ipmi/sdr/read-repository.ts';
import { getSensorReading } from '../../../lib/ipmi/commands/get-sensor-reading.ts';
import { IpmiError } from '../../../lib/ipmi/errors.ts';
import { fullSdr, genSensor } from './sdr-builder.ts';
import { repositoryBmc } from './scripted-repository.ts';
import { Refuse } from '../scripted-bmc.ts';

const KEY = '127.0.0.1:623';
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

  it('a sensor behind another controller, or without a reading now, has no value; the others do', async () => {
    const remote = fullSdr(genSensor('CPU2 Temp'));
    remote[5] = 0x2c; // owned by another controller on the IPMB
    const bmc = repositoryBmc({ records: [remote, fullSdr(genSensor('CPU1 Temp')), fullSdr(genSensor('PSU1 Temp'))] }).on(getSensorReading, (r) => {
      if (r.sensorNumber === 5) throw new Refuse(0xcb);
      return reading(45);
    });
    const values = await readSensors(bmc, KEY);
    expect(values.map((v) => [v.name, v.value])).toEqual([
      ['CPU2 Temp', null],
      ['CPU1 Temp', 45],
      ['PSU1 Temp', null],
    ]);
    // No reading was asked of the sensor that needs bridging.
    expect(bmc.count(getSensorReading)).toBe(2);
  });

  it('any other refusal ends the read with its error', async () => {
    const bmc = repositoryBmc({ records: [fullSdr(genSensor('CPU1 Temp'))] }).on(getSensorReading, () => {
      throw new Refuse(0xc3);
    });
    await expect(readSensors(bmc, KEY)).rejects.toThrow(/0xc3/);
  });
});
