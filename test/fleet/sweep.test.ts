/** The sweep's pure helpers and the fleet command's text: no sockets. */
import { describe, expect, it } from 'vitest';
import { errorText, hottestOf, mapBounded, readBmc, summarise, type BmcReader, type HostResult, type Temperature } from '../../lib/fleet/sweep.ts';
import { formatFleet, progressLine, summaryLine } from '../../lib/cli/fleet-command.ts';
import { IpmiAuthError, IpmiCompletionCodeError, IpmiNotSupportedError, IpmiTimeoutError } from '../../lib/ipmi/errors.ts';
import type { PowerReading } from '../../lib/ipmi/commands/dcmi-power-reading.ts';
import { readPowerDraw } from '../../lib/ipmi/power-draw.ts';
import { DEFAULT_QUIRKS } from '../../lib/ipmi/quirks.ts';
import type { SensorValue } from '../../lib/ipmi/sdr/sensor-value.ts';

const t = (name: string, value: number | null, status: Temperature['status'] = 'ok'): Temperature => ({ name, value, unit: 'degrees C', status });

describe('mapBounded', () => {
  it('keeps at most `limit` calls in flight and the results in item order', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 23 }, (_, i) => i);
    const out = await mapBounded(items, 5, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, (i * 7) % 11));
      inFlight--;
      return i * 2;
    });
    expect(out).toEqual(items.map((i) => i * 2));
    expect(peak).toBe(5);
  });

  it('copes with no items, and a limit above the item count', async () => {
    expect(await mapBounded([], 64, async () => 1)).toEqual([]);
    expect(await mapBounded([1, 2], 64, async (x) => x + 1)).toEqual([2, 3]);
    expect(await mapBounded([1, 2], 0, async (x) => x + 1)).toEqual([2, 3]);
    expect(await mapBounded([1, 2], Number.NaN, async (x) => x + 1)).toEqual([2, 3]);
  });
});

describe('summaries', () => {
  it('hottestOf skips sensors without a reading', () => {
    expect(hottestOf([t('a', 45), t('b', null), t('c', 48), t('d', -6)])).toBe(48);
    expect(hottestOf([t('a', null)])).toBeNull();
    expect(hottestOf([])).toBeNull();
  });

  it('summarise counts ok and failed hosts', () => {
    const hosts: HostResult[] = [
      { name: 'a', host: 'h', port: 1, ok: true, power: 'on', temperatures: [], hottest: null, watts: null, notes: [] },
      { name: 'b', host: 'h', port: 2, ok: false, error: 'x' },
    ];
    expect(summarise(hosts, '2025-01-01T00:00:00.000Z', 12)).toEqual({ hosts, startedAt: '2025-01-01T00:00:00.000Z', ms: 12, ok: 1, failed: 1 });
  });

  it('errorText keeps the client\'s message, which names host and port', () => {
    expect(errorText(new IpmiTimeoutError('10.0.0.9', 623, 2, 'Get Chassis Status', 301))).toMatch(/^10\.0\.0\.9:623: no answer to Get Chassis Status after 2 tries in 301 ms/);
    expect(errorText(new IpmiAuthError('10.0.0.9', 623, 'wrong password'))).toBe('10.0.0.9:623: login failed: wrong password');
    expect(errorText(new Error('getaddrinfo ENOTFOUND bmc-x'))).toBe('getaddrinfo ENOTFOUND bmc-x');
    expect(errorText('odd')).toBe('odd');
  });
});

describe('fleet command text', () => {
  const result = summarise(
    [
      { name: 'node-01', host: '10.0.0.1', port: 623, ok: true, power: 'on', temperatures: [t('CPU1 Temp', 45), t('Inlet Temp', 24.5)], hottest: 45, watts: 212, notes: [] },
      { name: 'node-02', host: '10.0.0.2', port: 623, ok: true, power: 'off', temperatures: [t('CPU1 Temp', 96, 'ucr'), t('PSU1 Temp', null, 'unavailable')], hottest: 96, watts: null, notes: ['no DCMI power reading on this BMC'] },
      { name: 'node-03', host: '10.0.0.3', port: 6230, ok: false, error: '10.0.0.3:6230: login failed: wrong password' },
      { name: 'node-04', host: 'fd00::4', port: 623, ok: false, error: 'getaddrinfo ENOTFOUND' },
    ],
    '2025-01-01T00:00:00.000Z',
    1234,
  );

  it('is a table of name, host:port, power, hottest, watts and status or error', () => {
    expect(formatFleet(result)).toBe(
      [
        'NAME    | HOST:PORT     | POWER | HOTTEST °C | WATTS | STATUS',
        'node-01 | 10.0.0.1:623  | on    | 45         | 212   | ok',
        'node-02 | 10.0.0.2:623  | off   | 96         | n/a   | CPU1 Temp ucr',
        'node-03 | 10.0.0.3:6230 | -     | -          | -     | error: login failed: wrong password',
        'node-04 | [fd00::4]:623 | -     | -          | -     | error: getaddrinfo ENOTFOUND',
        '',
      ].join('\n'),
    );
  });

  it('progress and summary lines', () => {
    expect(progressLine(37, 100, 2)).toBe('swept 37/100, 2 failed');
    expect(summaryLine(result)).toBe('swept 4 BMCs in 1.2 s: 2 ok, 2 failed');
  });
});

describe('readBmc (a stand-in BMC: the DCMI paths ipmi_sim cannot show)', () => {
  const where = { name: 'n1', host: '10.0.0.1', port: 623 };
  const sensor = (name: string, value: number | null): SensorValue => ({ number: 1, name, type: 'temperature', value, unit: 'degrees C', status: value === null ? 'unavailable' : 'ok' });
  const dcmi = (watts: number, active = true): PowerReading => ({ watts, minWatts: 90, maxWatts: 400, averageWatts: 200, timestamp: 0, periodMs: 1000, active });
  // The draw goes through the real powerDraw core (readPowerDraw), fed by the stand-in's DCMI and sensors.
  const stub = (o: { sensors?: () => Promise<SensorValue[]>; reading?: () => Promise<PowerReading> }): BmcReader => {
    const sensors = o.sensors ?? (async () => [sensor('CPU1 Temp', 61), sensor('PSU1 Temp', null)]);
    return {
      power: async () => ({ action: 'status', power: 'on', changed: false, confirmed: true, message: '' }),
      sensors,
      powerDraw: () => readPowerDraw({ quirks: DEFAULT_QUIRKS, dcmi: o.reading ?? (async () => dcmi(212)), wattsSensors: sensors }),
    };
  };

  it('a BMC with DCMI gives its watts and no note', async () => {
    expect(await readBmc(stub({}), where)).toEqual({
      ...where,
      ok: true,
      power: 'on',
      temperatures: [
        { name: 'CPU1 Temp', value: 61, unit: 'degrees C', status: 'ok' },
        { name: 'PSU1 Temp', value: null, unit: 'degrees C', status: 'unavailable' },
      ],
      hottest: 61,
      watts: 212,
      notes: [],
    });
  });

  it('a measurement the BMC calls deactivated is no reading, with a note; a watts sensor stands in', async () => {
    const r = await readBmc(stub({ reading: async () => dcmi(0, false) }), where);
    expect([r.watts, r.notes]).toEqual([null, ['the BMC reports DCMI power measurement as deactivated: no reading']]);
    const meter: SensorValue = { number: 9, name: 'Pwr Consumption', type: 'current', value: 240, unit: 'Watts', status: 'ok' };
    const metered = await readBmc(stub({ reading: async () => dcmi(0, false), sensors: async () => [sensor('CPU1 Temp', 61), meter] }), where);
    expect([metered.watts, metered.notes]).toEqual([240, ['the BMC reports DCMI power measurement as deactivated: no reading; watts from the SDR: Pwr Consumption']]);
  });

  it('no DCMI and no SDR are notes; any other failure is the host\'s error', async () => {
    const cc = (code: number): IpmiCompletionCodeError => new IpmiCompletionCodeError('X', code, 'x', '10.0.0.1');
    const r = await readBmc(
      stub({ sensors: () => Promise.reject(new IpmiNotSupportedError('Get SDR Repository Info', 0xc1, 'invalid command')), reading: () => Promise.reject(cc(0xd6)) }),
      where,
    );
    expect(r).toMatchObject({ temperatures: [], hottest: null, watts: null, notes: ['no sensor repository (SDR) on this BMC', 'no DCMI power reading on this BMC'] });
    await expect(readBmc(stub({ reading: () => Promise.reject(cc(0xc3)) }), where)).rejects.toThrow(/completion code 0xc3/);
    await expect(readBmc(stub({ sensors: () => Promise.reject(new IpmiTimeoutError('10.0.0.1', 623, 4, 'Get Sensor Reading', 2000)) }), where)).rejects.toBeInstanceOf(IpmiTimeoutError);
  });
});
