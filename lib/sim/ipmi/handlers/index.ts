/**
 * The simulated BMC's command table, composed here from the groups that mirror the client's
 * lib/ipmi/commands. A group is plain data (its handlers); nothing registers itself on import, so
 * what the BMC answers is what this list says. The session handshakes (RMCP+ Open Session and
 * RAKP, v1.5 Get Session Challenge and Activate Session) are not commands of this table: the
 * engine hands them to rmcp-plus-handshake.ts and v15-handshake.ts.
 */
import { APP_HANDLERS } from './app.ts';
import { CHASSIS_HANDLERS } from './chassis.ts';
import { DCMI_HANDLERS } from './dcmi.ts';
import { FRU_HANDLERS } from './fru.ts';
import { handlerTable, type HandlerEntry, type HandlerTable } from './handler.ts';
import { LAN_CONFIG_HANDLERS } from './lan-config.ts';
import { SDR_SENSOR_HANDLERS } from './sdr-sensors.ts';
import { SEL_HANDLERS } from './sel.ts';
import { USER_HANDLERS } from './users.ts';

export { dispatch, handlerTable, Completion, OUT_OF_SESSION, type Answer, type EngineView, type HandlerContext, type HandlerEntry, type HandlerTable, type SessionView } from './handler.ts';

/** The groups by name, for tests and for a reader: which commands each answers. */
export const HANDLER_GROUPS = {
  app: APP_HANDLERS,
  chassis: CHASSIS_HANDLERS,
  'sdr-sensors': SDR_SENSOR_HANDLERS,
  fru: FRU_HANDLERS,
  sel: SEL_HANDLERS,
  'lan-config': LAN_CONFIG_HANDLERS,
  users: USER_HANDLERS,
  dcmi: DCMI_HANDLERS,
} as const satisfies Record<string, readonly HandlerEntry[]>;

/** Every command the simulated BMC answers, by netFn and cmd. */
export const SIM_HANDLERS: HandlerTable = handlerTable(HANDLER_GROUPS);
