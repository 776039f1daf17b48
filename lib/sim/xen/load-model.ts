/**
 * The simulated pool's load through the day, so nights and mornings look real: per VM, CPU busy
 * (per vCPU) and guest memory use follow a daily profile (quiet at night, busy by day, each VM
 * with its own scale and phase; some are steady services busy at every hour) with seeded noise.
 * Values are a function of time alone (noise is drawn per VM and minute from lib/util/prng.ts),
 * so reading a past minute twice gives the same answer and a test can step a clock through a
 * night. A host's CPU is the sum of its resident VMs' vCPU demand plus a base for dom0.
 *
 * A demo or a test can push a VM (or all) to a fixed CPU (and memory) percentage from a moment on,
 * and reset back to the model; pushes are kept as time segments so earlier minutes keep what was
 * served for them.
 */
import { seededRandom } from '../../util/index.ts';

export interface LoadModelOptions {
  /** Seed of every profile and noise draw. Default 1. */
  seed?: number;
  /** The pool's local time as an offset from UTC in minutes: its nights begin at local midnight. Default 0. */
  utcOffsetMinutes?: number;
}

/** One VM's character, drawn from the seed and its key. */
export interface VmProfile {
  /** CPU busy fraction at the height of the day. */
  dayCpu: number;
  /** CPU busy fraction in the quiet of the night. */
  nightCpu: number;
  /** Hours its day is shifted by (an early or a late office). */
  phaseHours: number;
  /** Fraction of its memory the guest uses at night and at the height of the day. */
  nightMemory: number;
  dayMemory: number;
  /** A steady service: the same load at every hour. */
  steady: boolean;
}

/** What a push asks: CPU percent of each vCPU, and optionally memory used as percent of the VM's memory. */
export interface LoadPush {
  cpuPercent: number;
  memoryPercent?: number;
}

interface Segment extends LoadPush {
  from: number;
  to?: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const MAX_SEGMENTS = 64;
/** dom0's own use of a host: a fraction of every physical CPU plus a quarter of one. */
const DOM0_CPU_PER_PCPU = 0.02;
const DOM0_CPU = 0.25;

export class LoadModel {
  private readonly seed: number;
  private readonly offsetMs: number;
  private readonly profiles = new Map<string, VmProfile>();
  private readonly pushes = new Map<string, Segment[]>();

  constructor(o: LoadModelOptions = {}) {
    this.seed = (o.seed ?? 1) >>> 0;
    this.offsetMs = (o.utcOffsetMinutes ?? 0) * MINUTE_MS;
  }

  /** The VM's profile (drawn on first use; the same for the same seed and key, whatever the order of use). */
  profile(key: string): VmProfile {
    let p = this.profiles.get(key);
    if (!p) {
      const r = seededRandom(mix(this.seed, hashString(key)));
      const steady = r() < 0.2;
      const dayCpu = steady ? 0.1 + 0.2 * r() : 0.3 + 0.55 * r();
      const nightCpu = steady ? dayCpu : 0.02 + 0.05 * r();
      const nightMemory = 0.3 + 0.25 * r();
      p = { dayCpu, nightCpu, phaseHours: 3 * r() - 1.5, nightMemory, dayMemory: Math.min(0.95, nightMemory + 0.1 + 0.25 * r()), steady };
      this.profiles.set(key, p);
    }
    return p;
  }

  /** Busy fraction (0..1) of each of the VM's vCPUs at time t (epoch ms). */
  vcpuBusy(key: string, vcpus: number, t: number): number[] {
    const push = this.pushAt(key, t);
    if (push) return Array.from({ length: vcpus }, () => push.cpuPercent / 100);
    const p = this.profile(key);
    const day = p.steady ? 1 : this.activity(t, p.phaseHours);
    const level = p.nightCpu + (p.dayCpu - p.nightCpu) * day;
    const r = this.minuteRandom(key, t);
    // Noise grows with the load: a quiet night wanders less than a busy morning.
    const swing = 0.25 * level * (2 * r() - 1);
    return Array.from({ length: vcpus }, () => clamp01((level + swing) * (0.8 + 0.4 * r())));
  }

  /** Fraction (0..1) of its memory the guest uses at time t. */
  memoryUsed(key: string, t: number): number {
    const push = this.pushAt(key, t);
    if (push?.memoryPercent !== undefined) return push.memoryPercent / 100;
    const p = this.profile(key);
    const day = p.steady ? 0.5 : this.activity(t, p.phaseHours);
    const r = this.minuteRandom(key, t, 0x6d656d);
    return clamp01(p.nightMemory + (p.dayMemory - p.nightMemory) * day + 0.02 * (2 * r() - 1));
  }

  /**
   * Busy fraction of each of a host's physical CPUs, from the vCPU demand of its resident VMs
   * (each vCPU's busy fraction counts that much of one physical CPU) plus dom0's base.
   */
  hostCpuBusy(hostKey: string, cpus: number, vcpuDemand: number, t: number): number[] {
    if (cpus <= 0) return [];
    const mean = Math.min(1, (vcpuDemand + DOM0_CPU + DOM0_CPU_PER_PCPU * cpus) / cpus);
    const r = this.minuteRandom(hostKey, t, 0x686f7374);
    const raw = Array.from({ length: cpus }, () => 0.7 + 0.6 * r());
    const scale = raw.reduce((s, x) => s + x, 0) / cpus;
    // Spread over the CPUs without moving their mean, narrower near 0 and 1 so no CPU leaves 0..1.
    const width = Math.min(mean, 1 - mean);
    return raw.map((x) => clamp01(mean + (x / scale - 1) * width));
  }

  /** From time t on, the VMs run at this load (checked: 0..100). */
  push(keys: readonly string[], load: LoadPush, t: number): void {
    checkPercent('cpuPercent', load.cpuPercent);
    if (load.memoryPercent !== undefined) checkPercent('memoryPercent', load.memoryPercent);
    for (const key of keys) {
      const segments = this.pushes.get(key) ?? [];
      const open = segments[segments.length - 1];
      if (open && open.to === undefined) open.to = t;
      const next: Segment = { from: t, cpuPercent: load.cpuPercent };
      if (load.memoryPercent !== undefined) next.memoryPercent = load.memoryPercent;
      segments.push(next);
      if (segments.length > MAX_SEGMENTS) segments.splice(0, segments.length - MAX_SEGMENTS);
      this.pushes.set(key, segments);
    }
  }

  /** From time t on, every VM follows the model again. */
  reset(t: number): void {
    for (const segments of this.pushes.values()) {
      const open = segments[segments.length - 1];
      if (open && open.to === undefined) open.to = t;
    }
  }

  /** The push in force for the VM at time t, if any. */
  pushAt(key: string, t: number): LoadPush | undefined {
    const segments = this.pushes.get(key);
    if (!segments) return undefined;
    for (let i = segments.length - 1; i >= 0; i--) {
      const s = segments[i];
      if (s.from <= t && (s.to === undefined || t < s.to)) return s;
    }
    return undefined;
  }

  /** 0 in the night, 1 by day, smooth in between: up from 07:00 to 09:00, down from 18:00 to 21:00 (local, shifted by the phase). */
  activity(t: number, phaseHours = 0): number {
    const h = ((((t + this.offsetMs) / HOUR_MS - phaseHours) % 24) + 24) % 24;
    return smoothstep(7, 9, h) * (1 - smoothstep(18, 21, h));
  }

  private minuteRandom(key: string, t: number, salt = 0): () => number {
    return seededRandom(mix(mix(this.seed ^ salt, hashString(key)), Math.floor(t / MINUTE_MS)));
  }
}

function checkPercent(what: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) throw new Error(`${what}: expected a number from 0 to 100`);
}

function smoothstep(a: number, b: number, x: number): number {
  const u = clamp01((x - a) / (b - a));
  return u * u * (3 - 2 * u);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** FNV-1a of a string, 32 bits. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Two 32-bit values into one seed (a murmur3 finaliser over their combination). */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
