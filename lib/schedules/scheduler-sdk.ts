/**
 * The parts of the Scheduler SDK the EventBridge port uses, apart from the port: the AWS wiring
 * loads this module on the first schedule call (a dynamic import), so a cold start that touches no
 * schedule does not compile the SDK; tests and tools pass it ready-made.
 */
import { CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';

const commands = { CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, UpdateScheduleCommand };

/** A client and the commands the port sends through it. */
export interface SchedulerSdk {
  client: SchedulerClient;
  commands: typeof commands;
}

/** The SDK for the port, on the given client (by default one for this Lambda's region and role). */
export function schedulerSdk(client: SchedulerClient = new SchedulerClient({})): SchedulerSdk {
  return { client, commands };
}
