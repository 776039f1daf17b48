/**
 * The Scheduler port on Amazon EventBridge Scheduler: one EventBridge schedule per lowpower schedule
 * in a schedule group, targeting the scheduled Lambda; one-time at() schedules that delete themselves
 * after running (used to resume long operations, and to start a wake early on the days its recurring
 * timer cannot: their input carries the ready time they start it for); GetSchedule for the doctor's
 * presence check. AWS errors become ScheduleConflictError,
 * ScheduleNotFoundError and ScheduleValidationError.
 *
 * The SDK (client and commands, scheduler-sdk.ts) is given, or loaded on the first call: the AWS
 * wiring loads it then, as most requests to the http function never touch a schedule.
 */
import { createHash } from 'node:crypto';
import type { CreateScheduleInput, ScheduleState, UpdateScheduleInput } from '@aws-sdk/client-scheduler';
import type { SchedulerSdk } from './scheduler-sdk.ts';
import { givenOrOnce } from '../util/index.ts';
import { ScheduleConflictError, ScheduleNotFoundError, ScheduleValidationError } from './errors.ts';
import { parseExpression, validateTimezone } from './expression.ts';
import { validateSchedule, type Schedule } from './model.ts';

export interface EventBridgeSchedulerOptions {
  /** The SDK (`schedulerSdk(client)`), or how to load it on its first use. */
  sdk: SchedulerSdk | (() => Promise<SchedulerSdk>);
  groupName: string;
  /** The Lambda (or other target) the schedules invoke. */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke the target. */
  roleArn: string;
}

/** What the target receives. `<aws.scheduler.scheduled-time>` is filled in by EventBridge Scheduler. */
export interface ScheduledInput {
  source: 'schedule';
  scheduleName: string;
  poolId: string;
  action: Schedule['action'];
  hostIds?: string[];
  scheduledTime: string;
  /** Only on a one-time early start: the ready time (ISO) it starts the wake for. */
  readyAt?: string;
  /** Only on a wake's recurring timer: the lead (minutes) it was armed with (Schedule.leadMinutes). */
  leadMinutes?: number;
}

export interface RemoteScheduleSummary {
  name: string;
  arn?: string;
  state?: string;
  groupName?: string;
}

/** One schedule as GetSchedule describes it (what the doctor compares with the store). */
export interface RemoteSchedule {
  name: string;
  expression: string;
  /** EventBridge Scheduler's default when the schedule names none: UTC. */
  timezone: string;
  state: ScheduleState;
  targetArn?: string;
}

export interface OneTimeSchedule {
  name: string;
  /** Local date-time yyyy-mm-ddThh:mm:ss in `timezone`. */
  at: string;
  timezone: string;
  /** Any JSON payload for the target, e.g. { source: 'resume', operationId }. */
  input: Record<string, unknown>;
}

export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

/**
 * The one-time at() schedule that starts a wake early for one ready time. The instant is given in
 * UTC: a local date-time could be ambiguous (a repeated hour) or missing (a gap) on exactly the
 * days these schedules exist for.
 */
export function earlyStartSchedule(name: string, timer: Schedule, startAt: Date, readyAt: Date): OneTimeSchedule {
  const input: ScheduledInput = {
    source: 'schedule',
    scheduleName: timer.name,
    poolId: timer.poolId,
    action: timer.action,
    ...(timer.hostIds ? { hostIds: timer.hostIds } : {}),
    scheduledTime: SCHEDULED_TIME,
    readyAt: readyAt.toISOString(),
  };
  return { name, at: startAt.toISOString().slice(0, 19), timezone: 'UTC', input: { ...input } };
}

/** A deterministic idempotency token: the same request retried carries the same token. */
export function clientTokenFor(request: object): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex'); // 64 chars, [0-9a-f]
}

function errorName(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string') return err.name;
  return undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Map an AWS SDK error to the typed errors; anything else is rethrown as is. */
export function mapSchedulerError(err: unknown, scheduleName: string): Error {
  switch (errorName(err)) {
    case 'ConflictException':
      return new ScheduleConflictError(scheduleName, `schedule '${scheduleName}': ${errorMessage(err)}`, { cause: err });
    case 'ResourceNotFoundException':
      return new ScheduleNotFoundError(scheduleName, `schedule '${scheduleName}' not found: ${errorMessage(err)}`, { cause: err });
    case 'ValidationException':
      return new ScheduleValidationError('schedule', `schedule '${scheduleName}' rejected by EventBridge Scheduler: ${errorMessage(err)}`, { cause: err });
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

export class EventBridgeScheduler {
  private readonly sdk: () => Promise<SchedulerSdk>;

  constructor(private readonly options: EventBridgeSchedulerOptions) {
    this.sdk = givenOrOnce(options.sdk);
  }

  /** One SDK call; its AWS errors mapped to ours. */
  private async send<T>(scheduleName: string, run: (commands: SchedulerSdk['commands'], client: SchedulerSdk['client']) => Promise<T>): Promise<T> {
    const { commands, client } = await this.sdk();
    try {
      return await run(commands, client);
    } catch (err) {
      throw mapSchedulerError(err, scheduleName);
    }
  }

  /** The target input for a schedule. */
  inputFor(s: Schedule): string {
    const input: ScheduledInput = {
      source: 'schedule',
      scheduleName: s.name,
      poolId: s.poolId,
      action: s.action,
      ...(s.hostIds ? { hostIds: s.hostIds } : {}),
      scheduledTime: SCHEDULED_TIME,
      ...(s.action === 'wake' && s.leadMinutes !== undefined ? { leadMinutes: s.leadMinutes } : {}),
    };
    return JSON.stringify(input);
  }

  private state(s: Schedule): ScheduleState {
    return s.enabled ? 'ENABLED' : 'DISABLED';
  }

  /** Create the EventBridge schedule for `s`; returns its ARN. */
  async create(s: Schedule): Promise<string | undefined> {
    validateSchedule(s);
    const body: Omit<CreateScheduleInput, 'ClientToken'> = {
      Name: s.name,
      GroupName: this.options.groupName,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: this.options.targetArn, RoleArn: this.options.roleArn, Input: this.inputFor(s) },
      State: this.state(s),
    };
    const input: CreateScheduleInput = { ...body, ClientToken: clientTokenFor(body) };
    const out = await this.send(s.name, (commands, client) => client.send(new commands.CreateScheduleCommand(input)));
    return out.ScheduleArn;
  }

  /**
   * Update the schedule for `s`. UpdateSchedule replaces the whole definition, so read it first and
   * send every field back, changing only expression, time zone, state and target input.
   */
  async update(s: Schedule): Promise<string | undefined> {
    validateSchedule(s);
    const { groupName } = this.options;
    const current = await this.send(s.name, (commands, client) => client.send(new commands.GetScheduleCommand({ Name: s.name, GroupName: groupName })));
    const body: Omit<UpdateScheduleInput, 'ClientToken'> = {
      Name: s.name,
      GroupName: current.GroupName ?? groupName,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      State: this.state(s),
      FlexibleTimeWindow: current.FlexibleTimeWindow ?? { Mode: 'OFF' },
      Target: {
        ...(current.Target ?? { Arn: this.options.targetArn, RoleArn: this.options.roleArn }),
        Input: this.inputFor(s),
      },
      ...(current.StartDate !== undefined ? { StartDate: current.StartDate } : {}),
      ...(current.EndDate !== undefined ? { EndDate: current.EndDate } : {}),
      ...(current.Description !== undefined ? { Description: current.Description } : {}),
      ...(current.KmsKeyArn !== undefined ? { KmsKeyArn: current.KmsKeyArn } : {}),
      ...(current.ActionAfterCompletion !== undefined ? { ActionAfterCompletion: current.ActionAfterCompletion } : {}),
    };
    const input: UpdateScheduleInput = { ...body, ClientToken: clientTokenFor(body) };
    const out = await this.send(s.name, (commands, client) => client.send(new commands.UpdateScheduleCommand(input)));
    return out.ScheduleArn;
  }

  /** The schedule of that name in the group (GetSchedule), or undefined when it does not exist. */
  async get(name: string): Promise<RemoteSchedule | undefined> {
    const { groupName } = this.options;
    try {
      const out = await this.send(name, (commands, client) => client.send(new commands.GetScheduleCommand({ Name: name, GroupName: groupName })));
      return {
        name: out.Name ?? name,
        expression: out.ScheduleExpression ?? '',
        timezone: out.ScheduleExpressionTimezone ?? 'UTC',
        state: out.State ?? 'ENABLED',
        ...(out.Target?.Arn !== undefined ? { targetArn: out.Target.Arn } : {}),
      };
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) return undefined;
      throw e;
    }
  }

  async delete(name: string): Promise<void> {
    const input = { Name: name, GroupName: this.options.groupName, ClientToken: clientTokenFor({ delete: name, group: this.options.groupName }) };
    await this.send(name, (commands, client) => client.send(new commands.DeleteScheduleCommand(input)));
  }

  /** Every schedule in the group, following NextToken. */
  async list(namePrefix?: string): Promise<RemoteScheduleSummary[]> {
    const out: RemoteScheduleSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send(this.options.groupName, (commands, client) =>
        client.send(
          new commands.ListSchedulesCommand({
            GroupName: this.options.groupName,
            ...(namePrefix !== undefined ? { NamePrefix: namePrefix } : {}),
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      for (const s of page.Schedules ?? []) {
        if (s.Name === undefined) continue;
        out.push({
          name: s.Name,
          ...(s.Arn !== undefined ? { arn: s.Arn } : {}),
          ...(s.State !== undefined ? { state: s.State } : {}),
          ...(s.GroupName !== undefined ? { groupName: s.GroupName } : {}),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return out;
  }

  private oneTimeBody(o: OneTimeSchedule): Omit<CreateScheduleInput, 'ClientToken'> {
    const expression = `at(${o.at})`;
    parseExpression(expression);
    validateTimezone(o.timezone);
    return {
      Name: o.name,
      GroupName: this.options.groupName,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: o.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: this.options.targetArn, RoleArn: this.options.roleArn, Input: JSON.stringify(o.input) },
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
    };
  }

  /** A one-time at() schedule that EventBridge Scheduler deletes after it has run. */
  async createOneTime(o: OneTimeSchedule): Promise<string | undefined> {
    const body = this.oneTimeBody(o);
    const input: CreateScheduleInput = { ...body, ClientToken: clientTokenFor(body) };
    const out = await this.send(o.name, (commands, client) => client.send(new commands.CreateScheduleCommand(input)));
    return out.ScheduleArn;
  }

  /** Create the one-time schedule, or replace the whole definition of the one of that name (booking twice is harmless). */
  async upsertOneTime(o: OneTimeSchedule): Promise<string | undefined> {
    try {
      return await this.createOneTime(o);
    } catch (e) {
      if (!(e instanceof ScheduleConflictError)) throw e;
    }
    const body: Omit<UpdateScheduleInput, 'ClientToken'> = this.oneTimeBody(o);
    const input: UpdateScheduleInput = { ...body, ClientToken: clientTokenFor({ update: body }) };
    const out = await this.send(o.name, (commands, client) => client.send(new commands.UpdateScheduleCommand(input)));
    return out.ScheduleArn;
  }
}
