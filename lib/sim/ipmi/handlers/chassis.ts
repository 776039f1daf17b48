/**
 * The chassis commands a simulated BMC answers: status, power control (which drives the host
 * model), power restore policy, identify, and the system boot options.
 */
import { Privilege } from '../../../ipmi/index.ts';
import { ChassisAction, chassisControl, chassisIdentify, getChassisStatus, RESTORE_POLICIES, setPowerRestorePolicy, setSystemBootOptions, type ChassisStatus } from '../../../ipmi/index.ts';
import { getSystemBootOptions } from '../../../ipmi/index.ts';
import type { ControlAction } from '../host-model.ts';
import { Completion, serve, type HandlerEntry } from './handler.ts';

const chassisStatus = serve(getChassisStatus, Privilege.user, (_req, ctx): ChassisStatus => {
  const s = ctx.state;
  const now = s.clock.now();
  return {
    powerOn: s.host.powerOn,
    powerOverload: false,
    interlock: false,
    powerFault: false,
    powerControlFault: false,
    restorePolicy: s.restorePolicy,
    lastPowerEvent: { acFailed: s.acFailed, overload: false, interlock: false, fault: false, commandOn: s.host.controlCounts.on > 0 },
    intrusion: false,
    frontPanelLockout: false,
    driveFault: false,
    coolingFault: false,
    identify: s.identifyForced ? 'on' : s.identifyUntil > now ? 'timed' : 'off',
  };
});

const ACTIONS: Record<number, ControlAction> = {
  [ChassisAction.powerDown]: 'off',
  [ChassisAction.powerUp]: 'on',
  [ChassisAction.powerCycle]: 'cycle',
  [ChassisAction.hardReset]: 'reset',
  [ChassisAction.diagnosticInterrupt]: 'diag',
  [ChassisAction.softShutdown]: 'soft',
};

const powerControl = serve(chassisControl, Privilege.operator, (req, ctx) => {
  const action = ACTIONS[req.action];
  if (!action) throw new Completion(0xcc);
  ctx.state.host.control(action);
  ctx.state.acFailed = false;
});

const restorePolicy = serve(setPowerRestorePolicy, Privilege.operator, (req, ctx) => {
  if (req.policy !== 'no-change') ctx.state.restorePolicy = req.policy;
  return { supported: [...RESTORE_POLICIES] };
});

const identify = serve(chassisIdentify, Privilege.operator, (req, ctx) => {
  ctx.state.identifyForced = !!req.forceOn;
  ctx.state.identifyUntil = ctx.state.clock.now() + 1000 * (req.seconds ?? 15);
});

const setBootOptions = serve(setSystemBootOptions, Privilege.operator, (req, ctx) => {
  if (req.parameter === 5) {
    if (req.data.length < 5) throw new Completion(0xc7);
    ctx.state.bootFlags = Buffer.from(req.data.subarray(0, 5));
    return;
  }
  // Parameters 0 (set in progress), 3 (info acknowledge) and 4 (boot info) are accepted as no-ops.
  if (req.parameter > 5) throw new Completion(0x80);
});

const getBootOptions = serve(getSystemBootOptions, Privilege.operator, (req, ctx) => {
  if (req.parameter === 5) return { version: 1, parameter: 5, invalid: false, data: ctx.state.bootFlags };
  if (req.parameter === 0) return { version: 1, parameter: 0, invalid: false, data: Buffer.from([0]) };
  throw new Completion(0x80);
});

export const CHASSIS_HANDLERS: readonly HandlerEntry[] = [chassisStatus, powerControl, restorePolicy, identify, setBootOptions, getBootOptions];
