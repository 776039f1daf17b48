/**
 * Power changes that are safe on a lossy network. A chassis control command is sent once per
 * decision; when its answer is lost, the chassis status is read before anything is sent again,
 * so a lost reply never becomes a second power cycle. `on` and `off` are idempotent.
 */
import { ChassisAction, chassisControl, getChassisStatus, type ChassisActionCode, type ChassisStatus } from './commands/chassis.ts';
import type { IpmiCommand } from './commands/command.ts';
import { IpmiCompletionCodeError, IpmiError, IpmiTimeoutError } from './errors.ts';
import { retry } from '../util/index.ts';

export type PowerAction = 'status' | 'on' | 'off' | 'soft' | 'cycle' | 'reset' | 'diag';
export const POWER_ACTIONS: readonly PowerAction[] = ['status', 'on', 'off', 'soft', 'cycle', 'reset', 'diag'];

export interface PowerResult {
  action: PowerAction;
  /** Power state read from the BMC after the action. */
  power: 'on' | 'off';
  /** False when the host already was in the asked-for state. */
  changed: boolean;
  /**
   * False when the command's answer was lost and the status does not show whether it ran
   * (cycle, reset, diag): lowpower then does not send it again.
   */
  confirmed: boolean;
  message: string;
}

export interface PowerPort {
  /** Run a command; `once` means no retransmission. */
  run<Req, Res>(c: IpmiCommand<Req, Res>, req: Req, o?: { once?: boolean }): Promise<Res>;
  readonly host: string;
  readonly port: number;
  /** The handle's retransmission count: also how often a lost power command may be re-decided. */
  readonly retries: number;
  /** True once a session with this BMC has been opened: it is reachable, only the link is lossy. */
  readonly hasAnswered: boolean;
}

const ACTION_CODE: Record<Exclude<PowerAction, 'status'>, ChassisActionCode> = {
  on: ChassisAction.powerUp,
  off: ChassisAction.powerDown,
  soft: ChassisAction.softShutdown,
  cycle: ChassisAction.powerCycle,
  reset: ChassisAction.hardReset,
  diag: ChassisAction.diagnosticInterrupt,
};

/** Status reads before a timeout is final (each with the handle's own retransmissions). */
const STATUS_READS = 3;

const state = (s: ChassisStatus): 'on' | 'off' => (s.powerOn ? 'on' : 'off');

/**
 * The power state, read again when a read times out: a read changes nothing, and the decision
 * that follows must rest on an answer, not on a guess. Three reads at most, back to back.
 */
function readPower(port: PowerPort): Promise<'on' | 'off'> {
  return retry(async () => state(await port.run(getChassisStatus, undefined)), {
    attempts: STATUS_READS,
    // A BMC that never answered is down or misaddressed: the caller's deadline stands.
    retryOn: (e) => e instanceof IpmiTimeoutError && port.hasAnswered,
    baseMs: 0,
  });
}

export async function changePower(port: PowerPort, action: PowerAction): Promise<PowerResult> {
  const before = await readPower(port);
  if (action === 'status') return { action, power: before, changed: false, confirmed: true, message: `Chassis Power is ${before}` };

  const target = action === 'on' ? 'on' : action === 'off' || action === 'soft' ? 'off' : undefined;
  if (target && before === target) {
    return { action, power: before, changed: false, confirmed: true, message: `already ${target}` };
  }
  if (!target && before === 'off') {
    // A cycle or reset of a host that is off would power it on: that must be asked for as "on".
    throw new IpmiError(`${port.host}:${port.port}: chassis is off; ${action} refused (use "power on" to start it)`);
  }

  const code = ACTION_CODE[action];
  // A send whose request was lost is re-sent only after a status read showed it did not run.
  const maxSends = Math.max(3, port.retries + 1);
  for (let send = 1; send <= maxSends; send++) {
    try {
      await port.run(chassisControl, { action: code }, { once: true });
      const after = await readPower(port);
      return { action, power: after, changed: true, confirmed: true, message: messageFor(action, after) };
    } catch (e) {
      if (e instanceof IpmiCompletionCodeError) {
        // Some BMCs answer "on" for a host that is on (or "off" for one that is off) with an error.
        const now = await readPower(port);
        if (target && now === target) return { action, power: now, changed: false, confirmed: true, message: `already ${target}` };
        throw e;
      }
      if (!(e instanceof IpmiTimeoutError)) throw e;
      // The answer is lost: did the command run? Ask the chassis before anything else.
      const now = await readPower(port);
      if (target) {
        if (now === target) return { action, power: now, changed: true, confirmed: true, message: messageFor(action, now) };
        if (action === 'soft') {
          // A soft-off may be under way (the OS shuts down): sending it again is not needed.
          return { action, power: now, changed: true, confirmed: false, message: 'soft-off sent, answer lost; host still on (the OS may be shutting down)' };
        }
        continue; // still not in the target state: the command did not run; send it again
      }
      return {
        action,
        power: now,
        changed: true,
        confirmed: false,
        message: `${action} sent, answer lost; not repeated so the host is not ${action === 'cycle' ? 'cycled' : 'reset'} twice (power is ${now})`,
      };
    }
  }
  throw new IpmiError(`${port.host}:${port.port}: ${action} did not take effect after ${maxSends} sends (power is still ${target === 'on' ? 'off' : 'on'})`);
}

function messageFor(action: PowerAction, now: 'on' | 'off'): string {
  switch (action) {
    case 'on':
      return 'Chassis Power Control: Up/On';
    case 'off':
      return 'Chassis Power Control: Down/Off';
    case 'soft':
      return now === 'off' ? 'Chassis Power Control: Soft (host is off)' : 'Chassis Power Control: Soft (OS asked to shut down)';
    case 'cycle':
      return 'Chassis Power Control: Cycle';
    case 'reset':
      return 'Chassis Power Control: Reset';
    case 'diag':
      return 'Chassis Power Control: Diag';
    default:
      return `Chassis Power is ${now}`;
  }
}
