/**
 * The simulated pool's daily load model, pure: the same seed gives the same day; nights are
 * quiet and days busy (steady services aside); a VM's phase and the pool's time zone move its
 * day; a push holds a VM at a figure from its moment on and a reset goes back to the model,
 * minutes before either keeping what they had; a bad push changes nothing; a host's CPU is its
 * VMs' demand plus dom0's base, spread over its CPUs without moving the mean.
 */
import { describe, expect, it } from 'vitest';
import { LoadModel } from '../../../lib/sim/xen/load-model.ts';

const DAY = Date.parse('2026-03-10T00:00:00.000Z');
const at = (h: number, m = 0): number => DAY + h * 3_600_000 + m * 60_000;
const keys = Array.from({ length: 40 }, (_, i) => `vm-uuid-${i}`);
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const cpu = (model: LoadModel, key: string, t: number): number => mean(model.vcpuBusy(key, 4, t));

describe('load model', () => {
  it('is a function of seed, VM and time: the same answer twice, another seed another day', () => {
    const a = new LoadModel({ seed: 7 });
    const b = new LoadModel({ seed: 7 });
    const c = new LoadModel({ seed: 8 });
    // b draws its profiles in another order: the answer does not depend on it.
    for (const k of [...keys].reverse()) b.profile(k);
    for (const k of keys) {
      expect(a.vcpuBusy(k, 4, at(10, 30))).toEqual(b.vcpuBusy(k, 4, at(10, 30)));
      expect(a.vcpuBusy(k, 4, at(10, 30))).toEqual(a.vcpuBusy(k, 4, at(10, 30) + 59_000)); // one draw per minute
      expect(a.memoryUsed(k, at(3))).toBe(b.memoryUsed(k, at(3)));
    }
    expect(keys.map((k) => cpu(a, k, at(11)))).not.toEqual(keys.map((k) => cpu(c, k, at(11))));
  });

  it('is quiet at night and busy by day; steady services are the same at every hour', () => {
    const model = new LoadModel({ seed: 3 });
    const office = keys.filter((k) => !model.profile(k).steady);
    const steady = keys.filter((k) => model.profile(k).steady);
    expect(office.length).toBeGreaterThan(20);
    expect(steady.length).toBeGreaterThan(2);
    const night = mean(office.map((k) => cpu(model, k, at(3))));
    const day = mean(office.map((k) => cpu(model, k, at(13))));
    expect(night).toBeLessThan(0.1);
    expect(day).toBeGreaterThan(0.3);
    expect(day).toBeGreaterThan(4 * night);
    // Over half an hour, the noise averages out.
    const halfHour = (k: string, h: number): number => mean(Array.from({ length: 30 }, (_, m) => cpu(model, k, at(h, m))));
    for (const k of steady) expect(Math.abs(halfHour(k, 3) - halfHour(k, 13))).toBeLessThan(0.15 * model.profile(k).dayCpu);
    const memNight = mean(office.map((k) => model.memoryUsed(k, at(3))));
    const memDay = mean(office.map((k) => model.memoryUsed(k, at(13))));
    expect(memDay).toBeGreaterThan(memNight + 0.05);
    for (const k of keys) {
      for (const t of [at(0), at(8), at(12), at(20)]) {
        for (const b of model.vcpuBusy(k, 4, t)) expect(b >= 0 && b <= 1).toBe(true);
        const m = model.memoryUsed(k, t);
        expect(m >= 0 && m <= 1).toBe(true);
      }
    }
  });

  it('the day rises in the morning and falls in the evening, local time, shifted by the phase', () => {
    const utc = new LoadModel({ seed: 1 });
    expect(utc.activity(at(3))).toBe(0);
    expect(utc.activity(at(8))).toBeGreaterThan(0.2);
    expect(utc.activity(at(8))).toBeLessThan(0.8);
    expect(utc.activity(at(12))).toBe(1);
    expect(utc.activity(at(23))).toBe(0);
    expect(utc.activity(at(9), 2)).toBeCloseTo(utc.activity(at(7)), 12);
    // UTC+2: local noon is 10:00 UTC; local 03:00 is 01:00 UTC.
    const cest = new LoadModel({ seed: 1, utcOffsetMinutes: 120 });
    expect(cest.activity(at(10))).toBe(1);
    expect(cest.activity(at(6))).toBeGreaterThan(0);
    expect(utc.activity(at(6))).toBe(0);
  });

  it('a push holds VMs at the figure from its moment on; a reset returns them to the model; the minutes before keep theirs', () => {
    const model = new LoadModel({ seed: 5 });
    const [k1, k2] = keys;
    const before = model.vcpuBusy(k1, 2, at(2, 10));
    const memBefore = model.memoryUsed(k1, at(2, 10));
    model.push([k1], { cpuPercent: 90, memoryPercent: 75 }, at(2, 30));
    expect(model.vcpuBusy(k1, 2, at(2, 10))).toEqual(before);
    expect(model.vcpuBusy(k1, 2, at(2, 40))).toEqual([0.9, 0.9]);
    expect(model.memoryUsed(k1, at(2, 40))).toBe(0.75);
    expect(model.memoryUsed(k1, at(2, 10))).toBe(memBefore);
    expect(model.pushAt(k2, at(2, 40))).toBeUndefined();
    // A push without memory keeps the model's memory.
    model.push([k1, k2], { cpuPercent: 5 }, at(3));
    expect(model.vcpuBusy(k2, 3, at(3, 5))).toEqual([0.05, 0.05, 0.05]);
    expect(model.memoryUsed(k1, at(3, 5))).toBe(new LoadModel({ seed: 5 }).memoryUsed(k1, at(3, 5)));
    expect(model.vcpuBusy(k1, 2, at(2, 59))).toEqual([0.9, 0.9]);
    model.reset(at(4));
    const fresh = new LoadModel({ seed: 5 });
    expect(model.vcpuBusy(k1, 2, at(4, 1))).toEqual(fresh.vcpuBusy(k1, 2, at(4, 1)));
    expect(model.vcpuBusy(k1, 2, at(3, 30))).toEqual([0.05, 0.05]);
  });

  it('refuses a bad push and changes nothing', () => {
    const model = new LoadModel({ seed: 5 });
    for (const bad of [{ cpuPercent: -1 }, { cpuPercent: 101 }, { cpuPercent: NaN }, { cpuPercent: 50, memoryPercent: 120 }, { cpuPercent: '50' as unknown as number }]) {
      expect(() => model.push([keys[0]], bad, at(1))).toThrow(/expected a number from 0 to 100/);
    }
    expect(model.pushAt(keys[0], at(2))).toBeUndefined();
  });

  it('a host is its VMs’ vCPU demand plus dom0, over its CPUs, capped at full', () => {
    const model = new LoadModel({ seed: 2 });
    const cpus = model.hostCpuBusy('host-a', 16, 4, at(12));
    expect(cpus).toHaveLength(16);
    expect(mean(cpus)).toBeCloseTo((4 + 0.25 + 0.02 * 16) / 16, 9);
    expect(new Set(cpus.map((c) => c.toFixed(6))).size).toBeGreaterThan(1);
    expect(model.hostCpuBusy('host-a', 4, 40, at(12))).toEqual([1, 1, 1, 1]);
    expect(model.hostCpuBusy('host-a', 0, 1, at(12))).toEqual([]);
  });
});
