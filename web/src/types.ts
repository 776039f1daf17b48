/**
 * The shapes the dashboard reads from the public /v1 API, taken from the API's own schemas
 * (lib/api/schemas) as types only, so the page carries none of zod. Each names the fields the
 * dashboard uses: a field the API renames or retypes breaks the build here.
 */
import type * as api from '../../lib/api/schemas/index.ts';
import type * as importApi from '../../lib/api/schemas/import.ts';

export type Me = api.MeAnswer;
export type Role = Me['role'];
export type Power = api.HostView['power'];

export type PoolSummary = api.PoolSummary;
export type HostSummary = Pick<api.HostView, 'id' | 'pool' | 'bmc' | 'protocol' | 'power' | 'powerObservedAt' | 'xenState' | 'isMaster' | 'operation'> & Partial<Pick<api.HostView, 'powerSource' | 'tls'>>;
export type Vm = api.Vm;
/** A host of the pool as XAPI reports it, with what the store knows of it (nothing for a host it does not know). */
export type PoolHost = Pick<api.PoolHost, 'id' | 'pool' | 'live' | 'enabled' | 'isMaster' | 'memoryTotalBytes' | 'memoryFreeBytes' | 'cpus' | 'sleepState' | 'vms' | 'power' | 'xenState' | 'operation'>;
export type PoolDetail = { pool: api.PoolDetailAnswer['pool']; hosts: PoolHost[] };
export type Migration = api.Migration;
export type SleepPlan = api.SleepPlan;
export type WakePlan = api.WakePlan;
export type Reading = Pick<api.Reading, 'hostId' | 'at' | 'power' | 'powerWatts' | 'temperatures'>;
export type Sensor = api.Sensor;
export type SelEntry = api.SelEntry;

export type OperationState = api.Operation['state'];
export type StepState = api.OperationStep['state'];
export type OperationStep = Pick<api.OperationStep, 'index' | 'name' | 'state' | 'hostId' | 'error' | 'detail' | 'startedAt' | 'finishedAt'>;
/** An operation: with its steps when read on its own, without them in a list. */
export type Operation = Pick<api.Operation, 'operationId' | 'poolId' | 'kind' | 'state' | 'actor' | 'source' | 'reason' | 'hostIds' | 'params' | 'result' | 'error' | 'createdAt' | 'updatedAt'> & { steps?: OperationStep[] };
export type OperationRef = api.OperationRef;

export type Alert = Pick<api.Alert, 'kind' | 'hostId' | 'message' | 'state' | 'openedAt' | 'count'>;
export type EnergyReport = api.EnergyReport;
export type AdviceAnswer = api.AdviceAnswer;
export type LoadAnswer = api.LoadAnswer;
export type ScheduleExceptions = api.ScheduleExceptions;
export type ScheduleView = api.ScheduleView;
export type HostPowerAction = api.HostPowerAction;

/** A host read on its own, and its last hour's readings. */
export type HostDetail = { host: HostSummary & Pick<api.HostDetailAnswer['host'], 'enabled' | 'live'>; readings: Reading[] };
export type HoldAnswer = api.HoldAnswer;
/** A sleep or wake asked for without dryRun: the operation started, or none when there was nothing to do. */
export type SleepAnswer = api.SleepStarted | Extract<api.SleepDone, { operation: null }>;
export type WakeAnswer = api.WakeStarted | Extract<api.WakeDone, { operation: null }>;
/** The morning rebalance: its modes, its plan, and what a request without dryRun answers. */
export type RebalanceMode = api.RebalanceBody['mode'];
export type RebalancePlan = api.RebalancePlan;
export type RebalanceAnswer = api.RebalanceStarted | Extract<api.RebalanceDone, { operation: null }>;
export type RebalanceDryRun = Extract<api.RebalanceDone, { dryRun: true }>;
/** Add a pool: the import's request and its answer (the proposed or written table). */
export type ImportBody = importApi.ImportBody;
export type ImportAnswer = importApi.ImportAnswer;
