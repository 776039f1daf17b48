/**
 * Tasks for the BMC variant that answers a reset with 202 Accepted: each task runs until the
 * reset's transition is over, then is Completed when the system reached the state the reset aimed
 * at, or Exception when it did not (an OS that refused to shut down). Its state is computed from
 * the Clock when read.
 */
import type { Clock } from '../ipmi/clock.ts';
import type { PowerState, ResetOutcome, ResetType } from './power-state.ts';

export interface ResetTask {
  id: string;
  resetType: ResetType;
  targetUri: string;
  startedAt: number;
  outcome: ResetOutcome;
}

export type TaskState = 'Running' | 'Completed' | 'Exception';

export interface TaskView {
  state: TaskState;
  percent: number;
  endedAt?: number;
}

const KEEP = 32;

export class TaskStore {
  private readonly tasks: ResetTask[] = [];
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  create(resetType: ResetType, targetUri: string, outcome: ResetOutcome): ResetTask {
    const task: ResetTask = { id: String(this.nextId++), resetType, targetUri, startedAt: this.clock.now(), outcome };
    this.tasks.push(task);
    if (this.tasks.length > KEEP) this.tasks.shift();
    return task;
  }

  get(id: string): ResetTask | undefined {
    return this.tasks.find((t) => t.id === id);
  }

  list(): readonly ResetTask[] {
    return this.tasks;
  }

  /** Where the task stands, given the system's power state now. */
  view(task: ResetTask, power: PowerState): TaskView {
    const now = this.clock.now();
    const { settlesAt, target } = task.outcome;
    if (now < settlesAt) {
      const span = Math.max(1, settlesAt - task.startedAt);
      return { state: 'Running', percent: Math.min(99, Math.floor(((now - task.startedAt) / span) * 100)) };
    }
    const reached = target === undefined || power === target;
    return { state: reached ? 'Completed' : 'Exception', percent: 100, endedAt: settlesAt };
  }
}
