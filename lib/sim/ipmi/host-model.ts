/**
 * The simulated server behind a BMC: chassis power with realistic delays (soft-off takes seconds
 * and may be refused by the OS; power-on passes through POST), a thermal model (temperatures rise
 * while on and under load, fall toward the inlet while off) and a power draw that follows state
 * and load. Time is read from a Clock and applied lazily, so the model needs no timers.
 */
import type { Clock } from './clock.ts';

export type ControlAction = 'off' | 'on' | 'cycle' | 'reset' | 'diag' | 'soft';

export interface HostTimings {
  /** Chassis reports on at once; the OS is up (POST done) after this long. */
  postMs: number;
  /** How long the OS takes to shut down after a soft-off request. */
  softOffMs: number;
  /** How long a power cycle keeps the chassis off. */
  cycleOffMs: number;
  /** Thermal time constant. */
  thermalTauMs: number;
}

export const REALISTIC_TIMINGS: HostTimings = { postMs: 20_000, softOffMs: 5_000, cycleOffMs: 2_000, thermalTauMs: 120_000 };
export const FAST_TIMINGS: HostTimings = { postMs: 300, softOffMs: 300, cycleOffMs: 200, thermalTauMs: 2_000 };

export interface HostModelOptions {
  timings: HostTimings;
  peakWatts: number;
  /** Idle draw as a fraction of peak (servers idle at about 60 to 70 % of peak). */
  idleFraction: number;
  standbyWatts: number;
  inletC: number;
  /** CPU load 0..1 while on. */
  load: number;
  initiallyOn: boolean;
  /** The OS ignores ACPI soft-off requests (a hung or configured-to-ignore host). */
  osRefusesSoftOff: boolean;
}

export interface Temperatures {
  cpu1: number;
  cpu2: number;
  inlet: number;
  system: number;
}

export interface PowerStats {
  watts: number;
  min: number;
  max: number;
  average: number;
  periodMs: number;
}

export type HostEvent = { kind: 'power'; on: boolean; at: number } | { kind: 'soft-off-refused'; at: number };

interface Pending {
  at: number;
  apply: () => void;
}

const STATS_PERIOD_MS = 60 * 60 * 1000;

export class HostModel {
  private on: boolean;
  private osUpAt: number;
  private pending: Pending[] = [];
  private temps: Temperatures;
  private lastAdvance: number;
  private wattHistory: Array<{ at: number; watts: number }> = [];
  private loadValue: number;
  readonly controlCounts: Record<ControlAction, number> = { off: 0, on: 0, cycle: 0, reset: 0, diag: 0, soft: 0 };
  /** Power transitions and refusals, for the BMC's event log. */
  onEvent: (e: HostEvent) => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    private readonly o: HostModelOptions,
  ) {
    const now = clock.now();
    this.on = o.initiallyOn;
    this.osUpAt = now;
    this.loadValue = o.load;
    this.lastAdvance = now;
    this.temps = this.targets();
    this.wattHistory.push({ at: now, watts: this.currentWatts() });
  }

  get load(): number {
    return this.loadValue;
  }

  set load(v: number) {
    this.advance();
    this.loadValue = Math.min(1, Math.max(0, v));
    this.recordWatts();
  }

  /** Chassis power as the BMC reports it. */
  get powerOn(): boolean {
    this.advance();
    return this.on;
  }

  /** The OS has finished POST and boot (used by a pool simulator to mark the host live). */
  get osRunning(): boolean {
    this.advance();
    return this.on && this.clock.now() >= this.osUpAt;
  }

  control(action: ControlAction): void {
    this.advance();
    this.controlCounts[action]++;
    const now = this.clock.now();
    switch (action) {
      case 'on':
        if (!this.on) this.setPower(true, now);
        break;
      case 'off':
        this.pending = [];
        if (this.on) this.setPower(false, now);
        break;
      case 'cycle':
        if (this.on) {
          this.pending = [];
          this.setPower(false, now);
          this.schedule(now + this.o.timings.cycleOffMs, () => this.setPower(true, now + this.o.timings.cycleOffMs));
        }
        break;
      case 'reset':
        if (this.on) this.osUpAt = now + this.o.timings.postMs;
        break;
      case 'diag':
        break;
      case 'soft':
        if (!this.on) break;
        if (this.o.osRefusesSoftOff) {
          this.onEvent({ kind: 'soft-off-refused', at: now });
          break;
        }
        if (!this.pending.length) {
          const at = now + this.o.timings.softOffMs;
          this.schedule(at, () => this.setPower(false, at));
        }
        break;
    }
  }

  /**
   * Mains power is lost and returns at once: whatever was pending is cancelled, the chassis goes
   * off, then on again when `policy` says so ('previous' means as it was when power failed).
   * Returns whether the chassis is on afterwards.
   */
  powerFeedOutage(policy: 'always-off' | 'previous' | 'always-on'): boolean {
    this.advance();
    const now = this.clock.now();
    const wasOn = this.on;
    this.pending = [];
    this.setPower(false, now);
    if (policy === 'always-on' || (policy === 'previous' && wasOn)) this.setPower(true, now);
    return this.on;
  }

  private schedule(at: number, apply: () => void): void {
    this.pending.push({ at, apply });
    this.pending.sort((a, b) => a.at - b.at);
  }

  private setPower(on: boolean, at: number): void {
    if (this.on === on) return;
    this.on = on;
    if (on) this.osUpAt = at + this.o.timings.postMs;
    this.recordWatts(at);
    this.onEvent({ kind: 'power', on, at });
  }

  private targets(): Temperatures {
    const inlet = this.o.inletC;
    if (!this.on) return { cpu1: inlet, cpu2: inlet, inlet, system: inlet };
    const l = this.loadValue;
    return { cpu1: inlet + 18 + 45 * l, cpu2: inlet + 16 + 42 * l, inlet, system: inlet + 6 + 10 * l };
  }

  /** Apply due transitions and move temperatures toward their targets, in time order. */
  private advance(): void {
    const now = this.clock.now();
    while (this.pending.length && this.pending[0].at <= now) {
      const p = this.pending.shift() as Pending;
      this.relax(p.at);
      p.apply();
    }
    this.relax(now);
  }

  private relax(to: number): void {
    const dt = to - this.lastAdvance;
    if (dt <= 0) return;
    const k = 1 - Math.exp(-dt / this.o.timings.thermalTauMs);
    const t = this.targets();
    for (const key of Object.keys(t) as Array<keyof Temperatures>) this.temps[key] += (t[key] - this.temps[key]) * k;
    this.lastAdvance = to;
  }

  temperatures(): Temperatures {
    this.advance();
    return { ...this.temps };
  }

  private currentWatts(): number {
    if (!this.on) return this.o.standbyWatts;
    return Math.round(this.o.peakWatts * (this.o.idleFraction + (1 - this.o.idleFraction) * this.loadValue));
  }

  private recordWatts(at = this.clock.now()): void {
    this.wattHistory.push({ at, watts: this.currentWatts() });
    const cutoff = at - STATS_PERIOD_MS;
    while (this.wattHistory.length > 2 && this.wattHistory[1].at <= cutoff) this.wattHistory.shift();
  }

  /** DCMI's reading: now, and min / max / time-weighted average over the reporting period. */
  power(): PowerStats {
    this.advance();
    const now = this.clock.now();
    const from = Math.max(now - STATS_PERIOD_MS, this.wattHistory[0].at);
    let min = Infinity;
    let max = -Infinity;
    let energy = 0;
    for (let i = 0; i < this.wattHistory.length; i++) {
      const seg = this.wattHistory[i];
      const end = i + 1 < this.wattHistory.length ? this.wattHistory[i + 1].at : now;
      const start = Math.max(seg.at, from);
      if (end < from) continue;
      min = Math.min(min, seg.watts);
      max = Math.max(max, seg.watts);
      energy += seg.watts * Math.max(0, end - start);
    }
    const periodMs = Math.max(1, now - from);
    const watts = this.currentWatts();
    return { watts, min: Math.min(min, watts), max: Math.max(max, watts), average: Math.round(energy / periodMs) || watts, periodMs };
  }
}
