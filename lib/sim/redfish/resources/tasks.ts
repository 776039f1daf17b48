/**
 * TaskService: the tasks of asynchronous resets and their monitors. A monitor answers 202 with the
 * task while it runs and 200 with the finished task after (DSP0266 "Asynchronous operations"); the
 * task itself always answers 200 with its TaskState, as bmcweb's do.
 */
import { errors } from '../errors.ts';
import { ok, type Reply, type RedfishRequest, type Route } from '../router.ts';
import type { RedfishBmcState } from '../state.ts';
import type { ResetTask } from '../tasks.ts';
import { collection, dateTime, link, resource, ROOT, type Json } from './odata.ts';

export const taskPaths = (id: string): { task: string; monitor: string } => ({ task: `${ROOT}/TaskService/Tasks/${id}`, monitor: `${ROOT}/TaskService/Tasks/${id}/Monitor` });

export function taskJson(state: RedfishBmcState, task: ResetTask): Json {
  const v = state.tasks.view(task, state.power.state);
  const paths = taskPaths(task.id);
  const done = v.state !== 'Running';
  const messages = !done
    ? []
    : v.state === 'Completed'
      ? [{ MessageId: 'TaskEvent.1.0.TaskCompletedOK', Message: `The task with Id '${task.id}' has completed.`, MessageArgs: [task.id], Severity: 'OK', MessageSeverity: 'OK' }]
      : [{ MessageId: 'TaskEvent.1.0.TaskCompletedWarning', Message: `The task with Id '${task.id}' has completed with warnings: the system did not reach ${task.outcome.target}.`, MessageArgs: [task.id], Severity: 'Warning', MessageSeverity: 'Warning' }];
  return resource('Task', paths.task, task.id, `Task ${task.id}`, {
    TaskState: v.state,
    TaskStatus: v.state === 'Exception' ? 'Warning' : 'OK',
    StartTime: dateTime(task.startedAt),
    ...(v.endedAt !== undefined ? { EndTime: dateTime(v.endedAt) } : {}),
    PercentComplete: v.percent,
    TaskMonitor: paths.monitor,
    Payload: { HttpOperation: 'POST', TargetUri: task.targetUri, HttpHeaders: [], JsonBody: JSON.stringify({ ResetType: task.resetType }) },
    Messages: messages,
  });
}

function taskOf(state: RedfishBmcState, req: RedfishRequest): ResetTask {
  const t = state.tasks.get(req.params.task);
  if (!t) throw errors.notFound(req.path);
  return t;
}

export function taskRoutes(): Route[] {
  const monitor = (state: RedfishBmcState, req: RedfishRequest): Reply => {
    const task = taskOf(state, req);
    const body = taskJson(state, task);
    return body.TaskState === 'Running' ? { status: 202, body, headers: { Location: taskPaths(task.id).monitor } } : ok(body);
  };
  return [
    {
      path: `${ROOT}/TaskService`,
      handlers: {
        GET: () =>
          ok(
            resource('TaskService', `${ROOT}/TaskService`, 'TaskService', 'Task Service', {
              ServiceEnabled: true,
              CompletedTaskOverWritePolicy: 'Oldest',
              LifeCycleEventOnTaskStateChange: false,
              Tasks: link(`${ROOT}/TaskService/Tasks`),
              Status: { State: 'Enabled', Health: 'OK' },
            }),
          ),
      },
    },
    { path: `${ROOT}/TaskService/Tasks`, handlers: { GET: (state) => ok(collection('TaskCollection', `${ROOT}/TaskService/Tasks`, 'Task Collection', state.tasks.list().map((t) => taskPaths(t.id).task))) } },
    { path: `${ROOT}/TaskService/Tasks/:task`, handlers: { GET: (state, req) => ok(taskJson(state, taskOf(state, req))) } },
    { path: `${ROOT}/TaskService/Tasks/:task/Monitor`, handlers: { GET: monitor } },
  ];
}
