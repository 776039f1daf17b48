/** What every operation runs on: the store and step-machine hooks, the power port, and the hypervisor's guard. */
import type { Host } from '../store/index.ts';
import type { HostPowerAction, PowerDriver } from './power-driver.ts';
import type { StepMachineDeps } from './step-machine.ts';

/** Safety rules 1 to 5 from the hypervisor before power is cut: a reason to refuse, or undefined to go ahead. */
export interface PowerGuard {
  refuseCut(host: Host, action: HostPowerAction): Promise<string | undefined>;
  /** Disable the host in XAPI before its cut (nothing lands on it meanwhile); true when it was enabled. */
  disable?(host: Host): Promise<boolean>;
  /** Enable it again (an abandoned cut, or a cycled host back live). */
  enable?(host: Host): Promise<void>;
  /** XAPI's `live`, or undefined when XAPI cannot be asked (never a guess). */
  live?(host: Host): Promise<boolean | undefined>;
}

export interface OpsDeps extends StepMachineDeps {
  driver: PowerDriver;
  /** Checked right before any command that cuts power (off, soft, cycle, escalation). */
  guard?: PowerGuard;
  /** How long a host lock lasts before another operation may take it (default 15 min). */
  leaseMs?: number;
  /** How long `confirm` waits for the chassis to reach the state (default 30 s). */
  confirmMs?: number;
  /** How often `confirm` reads the chassis (default 200 ms). */
  pollMs?: number;
  /** How long a cycled host may take to be live again before it is enabled (default 10 min). */
  liveTimeoutMs?: number;
}
