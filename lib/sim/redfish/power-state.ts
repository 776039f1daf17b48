/**
 * A Redfish system's power state over the simulated machine (lib/sim/ipmi's HostModel, which owns
 * chassis power, the OS, temperatures and watts): ComputerSystem.Reset types mapped onto it, and
 * the transitional states Redfish reports on top, PoweringOn for a while after power is applied
 * and PoweringOff until an OS has shut down (longer for GracefulShutdown than for ForceOff). Lazy
 * like the host model: the state is computed from the Clock when read, with no timers.
 *
 * It is also the machine's HostPowerLink, so a simulated XAPI host can live and die with it, as it
 * does with a simulated IPMI BMC's host model.
 */
import type { Clock } from '../ipmi/clock.ts';
import type { HostEvent, HostModel, HostTimings } from '../ipmi/host-model.ts';
import type { HostPowerLink } from '../xen/index.ts';

export const RESET_TYPES = ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn', 'PushPowerButton', 'PowerCycle'] as const;
export type ResetType = (typeof RESET_TYPES)[number];
export const isResetType = (v: unknown): v is ResetType => typeof v === 'string' && (RESET_TYPES as readonly string[]).includes(v);

export type PowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff';

export interface PowerTimings {
  /** How long a system reports PoweringOn after power is applied. */
  poweringOnMs: number;
  /** How long a ForceOff reports PoweringOff (the power itself is cut at once). */
  forceOffMs: number;
}

export const FAST_POWER_TIMINGS: PowerTimings = { poweringOnMs: 200, forceOffMs: 50 };
export const REALISTIC_POWER_TIMINGS: PowerTimings = { poweringOnMs: 8_000, forceOffMs: 1_000 };

export interface ResetOutcome {
  /** The state the system settles in, when the reset has one. */
  target?: 'On' | 'Off';
  /** When the transition is over (now, when nothing happens at all). */
  settlesAt: number;
  /** What the reset did; 'none' when the system already was where it asked for. */
  effect: 'none' | 'on' | 'off' | 'soft-off' | 'soft-off-refused' | 'restart' | 'cycle' | 'nmi';
}

/**
 * A reset refused because another transition is under way (409 ResourceInUse on the wire): any
 * but ForceOff while PoweringOn, and any but ForceOff or a power-on (once the power is cut) while
 * PoweringOff.
 */
export class PowerBusyError extends Error {
  constructor(
    readonly state: PowerState,
    readonly type: ResetType,
  ) {
    super(`the system is ${state}; ${type} must wait until it is On or Off`);
  }
}

interface Segment {
  state: 'PoweringOn' | 'PoweringOff';
  from: number;
  until: number;
}

export class PowerMachine implements HostPowerLink {
  private segments: Segment[] = [];
  private softRefused = false;
  /** The host's power events (on, off, soft-off refused), for the BMC's log. */
  onEvent: (e: HostEvent) => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    readonly host: HostModel,
    private readonly hostTimings: HostTimings,
    private readonly timings: PowerTimings,
  ) {
    host.onEvent = (e) => {
      if (e.kind === 'soft-off-refused') this.softRefused = true;
      this.onEvent(e);
    };
  }

  /** PowerState as the system resource reports it now. */
  get state(): PowerState {
    const on = this.host.powerOn; // applies the host's due transitions first
    const now = this.clock.now();
    const seg = this.segments.find((s) => s.from <= now && now < s.until);
    if (seg) return seg.state;
    this.segments = this.segments.filter((s) => s.until > now);
    return on ? 'On' : 'Off';
  }

  /** When the transition under way ends (now when there is none). */
  private transitionEnd(): number {
    const now = this.clock.now();
    return Math.max(now, ...this.segments.map((s) => s.until));
  }

  private segment(state: Segment['state'], from: number, ms: number): Segment {
    return { state, from, until: from + ms };
  }

  /** Carry out a ComputerSystem.Reset. Throws PowerBusyError when it cannot start now. */
  reset(type: ResetType): ResetOutcome {
    const state = this.state;
    const now = this.clock.now();
    const t = this.timings;
    if (type === 'ForceOff') {
      if (state === 'Off') return { target: 'Off', settlesAt: now, effect: 'none' };
      this.host.control('off');
      this.segments = [this.segment('PoweringOff', now, t.forceOffMs)];
      return { target: 'Off', settlesAt: this.transitionEnd(), effect: 'off' };
    }
    const wantsPower = type === 'On' || type === 'ForceOn' || type === 'PowerCycle' || (type === 'PushPowerButton' && state !== 'On');
    // Power already cut (a ForceOff or a cycle still showing PoweringOff): a power-on may start at once.
    if (state === 'PoweringOff' && wantsPower && !this.host.powerOn) return this.applyPower(now);
    const wantsShutdown = type === 'GracefulShutdown' || (type === 'PushPowerButton' && (state === 'On' || state === 'PoweringOff'));
    if (wantsShutdown && state === 'PoweringOff') return { target: 'Off', settlesAt: this.transitionEnd(), effect: 'none' };
    if (state === 'PoweringOn' || state === 'PoweringOff') throw new PowerBusyError(state, type);
    const on = state === 'On';
    if (wantsShutdown) {
      if (!on) return { target: 'Off', settlesAt: now, effect: 'none' };
      this.softRefused = false;
      this.host.control('soft');
      if (this.softRefused) return { target: 'Off', settlesAt: now, effect: 'soft-off-refused' };
      this.segments = [this.segment('PoweringOff', now, this.hostTimings.softOffMs)];
      return { target: 'Off', settlesAt: this.transitionEnd(), effect: 'soft-off' };
    }
    switch (type) {
      case 'On':
      case 'ForceOn':
      case 'PushPowerButton':
        return on ? { target: 'On', settlesAt: now, effect: 'none' } : this.applyPower(now);
      case 'PowerCycle': {
        if (!on) return this.applyPower(now);
        this.host.control('cycle');
        const back = now + this.hostTimings.cycleOffMs;
        this.segments = [this.segment('PoweringOff', now, this.hostTimings.cycleOffMs), this.segment('PoweringOn', back, t.poweringOnMs)];
        return { target: 'On', settlesAt: this.transitionEnd(), effect: 'cycle' };
      }
      case 'ForceRestart':
      case 'GracefulRestart':
        if (!on) return { settlesAt: now, effect: 'none' };
        // The chassis stays powered; the OS goes through POST again.
        this.host.control('reset');
        return { target: 'On', settlesAt: now + this.hostTimings.postMs, effect: 'restart' };
      case 'Nmi':
        if (!on) return { settlesAt: now, effect: 'none' };
        this.host.control('diag');
        return { settlesAt: now, effect: 'nmi' };
    }
    throw new Error(`unhandled reset type ${type}`);
  }

  private applyPower(now: number): ResetOutcome {
    this.host.control('on');
    this.segments = [this.segment('PoweringOn', now, this.timings.poweringOnMs)];
    return { target: 'On', settlesAt: this.transitionEnd(), effect: 'on' };
  }

  // HostPowerLink: what a simulated XAPI host reads and does.
  get powerOn(): boolean {
    return this.host.powerOn;
  }

  get osRunning(): boolean {
    return this.host.osRunning;
  }

  get load(): number {
    return this.host.load;
  }

  set load(v: number) {
    this.host.load = v;
  }

  /** XAPI's own power requests (host.shutdown, a wake): as a reset when one may start, else on the machine directly. */
  control(action: 'on' | 'off' | 'soft'): void {
    const type: ResetType = action === 'on' ? 'On' : action === 'off' ? 'ForceOff' : 'GracefulShutdown';
    try {
      this.reset(type);
    } catch (e) {
      if (!(e instanceof PowerBusyError)) throw e;
      this.host.control(action);
    }
  }
}
