/**
 * `lowpower pool advice` and `pool energy` read their answers from a loopback API on a real socket
 * (answers checked against the documented schemas first) and print the week as a grid, the window
 * with its schedules, and the savings in money and CO2 where the pool has a price and an intensity.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { runPoolCommand } from '../../lib/cli/pool-command.ts';
import { AdviceAnswer, EnergyReport } from '../../lib/api/schemas/index.ts';
import { capture } from './capture.ts';

const pricing = { electricityPricePerKwh: 0.3, currency: 'EUR', gridCarbonGramsPerKwh: 350 };
// Two hosts can sleep from 01:00 to 06:00 every night; Sunday 12:00 has no samples.
const week = Array.from({ length: 168 }, (_, hour) => {
  const h = hour % 24;
  const n = hour === 6 * 24 + 12 ? null : h >= 1 && h < 6 ? 2 : 0;
  return { hour, day: Math.floor(hour / 24), hourOfDay: h, hostsCanSleep: n, sleep: n ? ['h2', 'h3'] : [], keptBy: n === null ? null : n ? ('plan' as const) : ('cpu' as const), cpuCores: n === null ? null : 4, memoryBytes: n === null ? null : 1, wattsSaved: n ? 200 : n === null ? null : 0 };
});
const advice = z.parse(AdviceAnswer, {
  pool: 'p1',
  timeZone: 'Europe/Berlin',
  generatedAt: '2026-01-12T10:00:00.000Z',
  history: { since: '2025-12-29T10:00:00.000Z', until: '2026-01-12T10:00:00.000Z', first: '2026-01-01T00:00:00.000Z', last: '2026-01-12T09:55:00.000Z', buckets: 3000, daysCovered: 11.4, hoursCovered: 167, enough: true, needs: { days: 7, hoursCovered: 160 } },
  summary: 'Sleep 2 hosts from 01:00 to 06:00 (every night): saves 7 kWh, 2.10 EUR, 2.5 kg CO2 a week.',
  week,
  alwaysSpare: 0,
  proposal: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '01:00', end: '06:00', hours: 5, hosts: 2, sleepExpression: 'cron(0 1 ? * * *)', wakeExpression: 'cron(0 6 ? * * *)', hostHours: 70, kWh: 7, money: 2.1, co2Kg: 2.45 }],
  savingsPerWeek: { hostHours: 70, kWh: 7, money: 2.1, co2Kg: 2.45 },
  pricing,
  hostWatts: [{ hostId: 'h2', watts: 100, source: 'energy' }, { hostId: 'h3', watts: 100, source: 'readings' }],
  notes: ['1 hours of the week have no samples: no host is counted as able to sleep in them.'],
});
const energy = z.parse(EnergyReport, {
  pool: 'p1',
  nights: [{ night: '2026-01-10', kWhSaved: 2.5, hosts: 2, moneySaved: 0.75, co2KgSaved: 0.875 }],
  totalKWhSaved: 2.5,
  pricing,
  totalMoneySaved: 0.75,
  totalCo2KgSaved: 0.875,
  asleepNow: [],
});

let server: Server;
let base = '';
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const path = (req.url ?? '').split('?')[0];
    const body = path === '/v1/pools/p1/advice' ? advice : path === '/v1/pools/p1/energy' ? energy : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: { code: 'not_found', message: 'no pool p2' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('lowpower pool advice', () => {
  it('prints the summary, the week as a grid, the window with its cron schedules and savings, and the notes', async () => {
    const r = await capture(() => runPoolCommand(['advice', 'p1', '--url', base, '--days', '10']));
    expect(r.code).toBe(0);
    expect(seen.at(-1)).toBe('/v1/pools/p1/advice?days=10');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(advice.summary);
    expect(lines).toContain('MON  .22222..................');
    expect(lines).toContain('SUN  .22222......?...........');
    expect(r.out).toMatch(/01:00-06:00[\s|]+every[\s|]+2[\s|]+5[\s|]+7\.0[\s|]+2\.10 EUR[\s|]+2\.5 kg[\s|]+cron\(0 1 \? \* \* \*\)[\s|]+cron\(0 6 \? \* \* \*\)/);
    expect(r.out).toContain('note: 1 hours of the week have no samples');
    const json = await capture(() => runPoolCommand(['advice', 'p1', '--url', base, '--json']));
    expect(JSON.parse(json.out)).toEqual(advice);
  });

  it('an unknown pool fails with the API message', async () => {
    const r = await capture(() => runPoolCommand(['advice', 'p2', '--url', base]));
    expect(r.code).toBe(1);
    expect(r.err).toContain('no pool p2');
  });
});

describe('lowpower pool energy', () => {
  it('adds money and CO2 columns and totals where the pool has a price and an intensity', async () => {
    const r = await capture(() => runPoolCommand(['energy', 'p1', '--url', base]));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/night[\s|]+hosts[\s|]+kWh saved[\s|]+EUR saved[\s|]+kg CO2 saved/);
    expect(r.out).toMatch(/2026-01-10[\s|]+2[\s|]+2\.500[\s|]+0\.75 EUR[\s|]+0\.9 kg/);
    expect(r.out).toContain('total: 2.5 kWh, 0.75 EUR, 0.9 kg');
  });
});
