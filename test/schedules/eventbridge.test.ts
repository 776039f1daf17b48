/** The EventBridge Scheduler adapter against the documented request shapes, with aws-sdk-client-mock. */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
  type GetScheduleOutput,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schedulerSdk } from '../../lib/schedules/scheduler-sdk.ts';
import { clientTokenFor, EventBridgeScheduler } from '../../lib/schedules/eventbridge.ts';
import { ScheduleConflictError, ScheduleNotFoundError, ScheduleValidationError } from '../../lib/schedules/errors.ts';
import type { Schedule } from '../../lib/schedules/model.ts';

const TARGET = 'arn:aws:lambda:eu-central-1:123456789012:function:lowpower-scheduled';
const ROLE = 'arn:aws:iam::123456789012:role/lowpower-scheduler-invoke';
const GROUP = 'lowpower';

const schedule: Schedule = {
  name: 'pool-a-sleep',
  poolId: 'pool-a',
  hostIds: ['h1', 'h2'],
  action: 'sleep',
  expression: 'cron(0 22 ? * MON-FRI *)',
  timezone: 'Europe/Berlin',
  enabled: true,
  exceptions: { skipOnce: { date: '2026-06-01' } },
};

const input = JSON.stringify({
  source: 'schedule',
  scheduleName: 'pool-a-sleep',
  poolId: 'pool-a',
  action: 'sleep',
  hostIds: ['h1', 'h2'],
  scheduledTime: '<aws.scheduler.scheduled-time>',
});

const mock = mockClient(SchedulerClient);
let scheduler: EventBridgeScheduler;

beforeEach(() => {
  mock.reset();
  scheduler = new EventBridgeScheduler({ sdk: schedulerSdk(new SchedulerClient({ region: 'eu-central-1' })), groupName: GROUP, targetArn: TARGET, roleArn: ROLE });
});
afterEach(() => mock.reset());

type AwsErrorClass = typeof ConflictException | typeof ResourceNotFoundException | typeof ValidationException;
const awsError = (Ctor: AwsErrorClass, message: string): Error => new Ctor({ message, Message: message, $metadata: {} });

describe('the SDK on first use', () => {
  it('loads the SDK at the first call, once for calls at the same time, and sends through it', async () => {
    let loads = 0;
    const lazy = new EventBridgeScheduler({
      sdk: async () => {
        loads++;
        return schedulerSdk(new SchedulerClient({ region: 'eu-central-1' }));
      },
      groupName: GROUP,
      targetArn: TARGET,
      roleArn: ROLE,
    });
    expect(loads).toBe(0);
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:1' });
    mock.on(DeleteScheduleCommand).resolves({});
    await Promise.all([lazy.create(schedule), lazy.delete('pool-a-sleep')]);
    await lazy.delete('pool-a-sleep');
    expect(loads).toBe(1);
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(1);
    expect(mock.commandCalls(DeleteScheduleCommand)).toHaveLength(2);
  });

  it('a load that fails fails that call, unmapped, and the next call loads again', async () => {
    let loads = 0;
    const lazy = new EventBridgeScheduler({
      sdk: async () => {
        if (++loads === 1) throw new Error('chunk not found');
        return schedulerSdk(new SchedulerClient({ region: 'eu-central-1' }));
      },
      groupName: GROUP,
      targetArn: TARGET,
      roleArn: ROLE,
    });
    await expect(lazy.get('pool-a-sleep')).rejects.toThrow('chunk not found');
    mock.on(GetScheduleCommand).rejects(awsError(ResourceNotFoundException, 'gone'));
    expect(await lazy.get('pool-a-sleep')).toBeUndefined();
    expect(loads).toBe(2);
  });
});

describe('create', () => {
  it('sends the whole definition with a deterministic ClientToken', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/lowpower/pool-a-sleep' });
    expect(await scheduler.create(schedule)).toBe('arn:aws:scheduler:::schedule/lowpower/pool-a-sleep');
    const body = {
      Name: 'pool-a-sleep',
      GroupName: GROUP,
      ScheduleExpression: 'cron(0 22 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: TARGET, RoleArn: ROLE, Input: input },
      State: 'ENABLED',
    };
    const calls = mock.commandCalls(CreateScheduleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ ...body, ClientToken: clientTokenFor(body) });
    expect(calls[0].args[0].input.ClientToken).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a retry of the same create carries the same token; a different schedule a different one', async () => {
    mock.on(CreateScheduleCommand).resolves({});
    await scheduler.create(schedule);
    await scheduler.create(schedule);
    await scheduler.create({ ...schedule, enabled: false });
    const [a, b, c] = mock.commandCalls(CreateScheduleCommand).map((x) => x.args[0].input);
    expect(a.ClientToken).toBe(b.ClientToken);
    expect(c.ClientToken).not.toBe(a.ClientToken);
    expect(c.State).toBe('DISABLED');
  });

  it('validates before calling AWS', async () => {
    await expect(scheduler.create({ ...schedule, timezone: 'Europe/Nowhere' })).rejects.toMatchObject({ name: 'ScheduleValidationError', field: 'timezone' });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('update', () => {
  const current: GetScheduleOutput = {
    Arn: 'arn:aws:scheduler:::schedule/lowpower/pool-a-sleep',
    Name: 'pool-a-sleep',
    GroupName: GROUP,
    ScheduleExpression: 'cron(0 21 ? * MON-FRI *)',
    ScheduleExpressionTimezone: 'UTC',
    State: 'ENABLED',
    Description: 'nightly sleep for pool a',
    StartDate: new Date('2026-01-01T00:00:00Z'),
    EndDate: new Date('2027-01-01T00:00:00Z'),
    KmsKeyArn: 'arn:aws:kms:eu-central-1:123456789012:key/abc',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'NONE',
    CreationDate: new Date('2026-01-01T00:00:00Z'),
    LastModificationDate: new Date('2026-01-02T00:00:00Z'),
    Target: {
      Arn: TARGET,
      RoleArn: ROLE,
      Input: '{"old":true}',
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-central-1:123456789012:lowpower-dlq' },
    },
  };

  it('reads first, then sends every field back with the changes', async () => {
    mock.on(GetScheduleCommand).resolves(current);
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: current.Arn });
    await scheduler.update({ ...schedule, enabled: false });
    expect(mock.commandCalls(GetScheduleCommand)[0].args[0].input).toEqual({ Name: 'pool-a-sleep', GroupName: GROUP });
    const body = {
      Name: 'pool-a-sleep',
      GroupName: GROUP,
      ScheduleExpression: 'cron(0 22 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: TARGET,
        RoleArn: ROLE,
        Input: input,
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-central-1:123456789012:lowpower-dlq' },
      },
      StartDate: new Date('2026-01-01T00:00:00Z'),
      EndDate: new Date('2027-01-01T00:00:00Z'),
      Description: 'nightly sleep for pool a',
      KmsKeyArn: 'arn:aws:kms:eu-central-1:123456789012:key/abc',
      ActionAfterCompletion: 'NONE',
    };
    const sent = mock.commandCalls(UpdateScheduleCommand)[0].args[0].input;
    expect(sent).toEqual({ ...body, ClientToken: clientTokenFor(body) });
    // nothing read-only leaks into the request
    expect(sent).not.toHaveProperty('Arn');
    expect(sent).not.toHaveProperty('CreationDate');
    // the order of calls: get, then update
    expect(mock.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetScheduleCommand', 'UpdateScheduleCommand']);
  });

  it('a missing schedule is ScheduleNotFoundError and nothing is updated', async () => {
    mock.on(GetScheduleCommand).rejects(awsError(ResourceNotFoundException, 'Schedule pool-a-sleep does not exist.'));
    await expect(scheduler.update(schedule)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });
});

describe('delete', () => {
  it('deletes by name in the group', async () => {
    mock.on(DeleteScheduleCommand).resolves({});
    await scheduler.delete('pool-a-sleep');
    const sent = mock.commandCalls(DeleteScheduleCommand)[0].args[0].input;
    expect(sent).toEqual({ Name: 'pool-a-sleep', GroupName: GROUP, ClientToken: clientTokenFor({ delete: 'pool-a-sleep', group: GROUP }) });
  });
});

describe('list', () => {
  it('follows NextToken through every page of the group', async () => {
    mock
      .on(ListSchedulesCommand, { GroupName: GROUP })
      .resolvesOnce({ Schedules: [{ Name: 'a', Arn: 'arn:a', State: 'ENABLED', GroupName: GROUP, Target: { Arn: TARGET } }], NextToken: 't1' })
      .resolvesOnce({ Schedules: [{ Name: 'b', State: 'DISABLED', Target: { Arn: TARGET } }], NextToken: 't2' })
      .resolvesOnce({ Schedules: [] });
    expect(await scheduler.list()).toEqual([
      { name: 'a', arn: 'arn:a', state: 'ENABLED', groupName: GROUP },
      { name: 'b', state: 'DISABLED' },
    ]);
    expect(mock.commandCalls(ListSchedulesCommand).map((c) => c.args[0].input)).toEqual([
      { GroupName: GROUP },
      { GroupName: GROUP, NextToken: 't1' },
      { GroupName: GROUP, NextToken: 't2' },
    ]);
  });
});

describe('one-time at() schedules', () => {
  it('are created with ActionAfterCompletion DELETE', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:resume' });
    await scheduler.createOneTime({ name: 'resume-op-42-step-3', at: '2026-06-01T22:15:00', timezone: 'UTC', input: { source: 'resume', operationId: 'op-42' } });
    const body = {
      Name: 'resume-op-42-step-3',
      GroupName: GROUP,
      ScheduleExpression: 'at(2026-06-01T22:15:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: TARGET, RoleArn: ROLE, Input: '{"source":"resume","operationId":"op-42"}' },
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
    };
    expect(mock.commandCalls(CreateScheduleCommand)[0].args[0].input).toEqual({ ...body, ClientToken: clientTokenFor(body) });
  });
  it('reject a bad time before calling AWS', async () => {
    await expect(scheduler.createOneTime({ name: 'x', at: '2026-02-30T00:00:00', timezone: 'UTC', input: {} })).rejects.toBeInstanceOf(ScheduleValidationError);
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('error mapping', () => {
  it.each([
    [awsError(ConflictException, 'Schedule pool-a-sleep already exists.'), ScheduleConflictError, 409],
    [awsError(ResourceNotFoundException, 'Schedule group lowpower does not exist.'), ScheduleNotFoundError, 404],
    [awsError(ValidationException, 'Invalid Schedule Expression cron(...)'), ScheduleValidationError, 400],
  ])('%s', async (err, Typed, status) => {
    mock.on(CreateScheduleCommand).rejects(err);
    const caught = await scheduler.create(schedule).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Typed);
    expect(caught).toMatchObject({ statusCode: status, cause: err });
    expect((caught as Error).message).toContain(err.message);
  });
  it('maps delete of a missing schedule to ScheduleNotFoundError', async () => {
    mock.on(DeleteScheduleCommand).rejects(awsError(ResourceNotFoundException, 'nope'));
    await expect(scheduler.delete('gone')).rejects.toMatchObject({ name: 'ScheduleNotFoundError', scheduleName: 'gone' });
  });
  it('passes other errors through unchanged', async () => {
    const boom = new Error('socket hang up');
    mock.on(ListSchedulesCommand).rejects(boom);
    await expect(scheduler.list()).rejects.toBe(boom);
  });
});
