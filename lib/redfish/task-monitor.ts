/**
 * Following a request the BMC accepted with 202 (DSP0266 "asynchronous operations"): its task
 * monitor (the `Location` header, else the Task in the body) is read until it stops answering 202
 * and its Task, if it shows one, reaches an end state, bounded by a deadline. 200 and 204 are done
 * at once. Reading a monitor is a GET, so it may be retried; the request itself is never repeated.
 */
import type { RedfishClient, RedfishResponse } from './client.ts';
import { RedfishHttpError, RedfishTaskError, seconds, type RedfishMessage } from './errors.ts';
import { isObject, link, str } from './json.ts';

export interface TaskOutcome {
  /**
   * `Completed` (a Task said so, or the answer was final at once), `Done` (the monitor answered
   * without a Task), `Gone` (the monitor vanished after the work started) or `Accepted` (202
   * without a monitor to follow).
   */
  state: 'Completed' | 'Done' | 'Gone' | 'Accepted';
  messages: RedfishMessage[];
  /** Monitor reads. */
  polls: number;
}

export interface TaskOptions {
  /** Give up after this long (default 120 s). */
  deadlineMs?: number;
  /** Between two reads when the BMC gives no Retry-After (default 1 s). */
  pollMs?: number;
  /** What was asked, for messages ("ComputerSystem.Reset ForceOff"). */
  what: string;
}

const RUNNING = new Set(['New', 'Starting', 'Running', 'Suspended', 'Interrupted', 'Pending', 'Stopping', 'Service']);
const FAILED = new Set(['Exception', 'Killed', 'Cancelled', 'Cancelling']);

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** A Task's state, or undefined when the body is not a Task. */
const taskState = (body: unknown): string | undefined => (isObject(body) ? str(body.TaskState) : undefined);

export async function followTask(c: RedfishClient, first: RedfishResponse, o: TaskOptions): Promise<TaskOutcome> {
  if (first.status !== 202) return { state: 'Completed', messages: c.messagesOf(first.body), polls: 0 };
  const monitorRef = first.location ?? (isObject(first.body) ? (str(first.body.TaskMonitor) ?? link(first.body)) : undefined);
  if (!monitorRef) return { state: 'Accepted', messages: c.messagesOf(first.body), polls: 0 };
  const monitor = c.path(monitorRef);
  const deadline = Date.now() + (o.deadlineMs ?? 120_000);
  let wait = first.retryAfterMs ?? o.pollMs ?? 1000;
  let lastState = taskState(first.body) ?? 'Running';
  for (let polls = 1; ; polls++) {
    const left = deadline - Date.now();
    if (left <= 0) throw new RedfishTaskError(c.label, lastState, `${o.what}: the task is still ${lastState} after ${seconds(o.deadlineMs ?? 120_000)} (watch ${monitor})`);
    // Retry-After is the BMC's hint; it is capped so a long hint cannot outlast the deadline.
    await sleep(Math.min(wait, 5000, left));
    let r: RedfishResponse;
    try {
      r = await c.get(monitor);
    } catch (e) {
      if (e instanceof RedfishHttpError && (e.status === 404 || e.status === 410)) return { state: 'Gone', messages: [], polls };
      throw e;
    }
    const state = taskState(r.body);
    if (state && FAILED.has(state)) throw new RedfishTaskError(c.label, state, `${o.what}: the task ended ${state}`, c.messagesOf(r.body));
    if (state === 'Completed') {
      if (isObject(r.body) && str(r.body.TaskStatus) === 'Critical') throw new RedfishTaskError(c.label, state, `${o.what}: the task completed with status Critical`, c.messagesOf(r.body));
      return { state: 'Completed', messages: c.messagesOf(r.body), polls };
    }
    if (r.status !== 202 && !(state && RUNNING.has(state))) return { state: 'Done', messages: c.messagesOf(r.body), polls };
    lastState = state ?? lastState;
    wait = r.retryAfterMs ?? o.pollMs ?? 1000;
  }
}
