/**
 * XAPI's refusals to start a VM for lack of memory, read from the pool's task records. Pure: the
 * records of `task.get_all_records` (and `VM.get_all_records`, to name the VM) come in.
 *
 * What xapi leaves (xen-api: server_helpers.ml, taskHelper.ml, message_forwarding.ml,
 * xapi_vm_helpers.ml, datamodel_errors.ml):
 * - an `Async.VM.start` / `Async.VM.start_on` call has a task whose name_label is the call's wire
 *   name; when the start fails its status is `failure`, `error_info` is [code, ...params] and
 *   `finished` the time. It stays until a client destroys it or xapi's GC removes it 65 minutes
 *   after it finished. A synchronous call's task is destroyed when the call returns: only async
 *   starts can be seen here.
 * - no awake host with the room: `HOST_NOT_ENOUGH_FREE_MEMORY` [needed; available], both in bytes
 *   (the VM's start memory, and the free memory of the host xapi tried).
 * - a task names no VM of its own; a client may say which objects it applies to in its
 *   other_config["applies_to"] (a key xapi's datamodel reserves for that), which names the VM here.
 * - `finished` has whole seconds: a task finished in the same second as a mark taken in ms may
 *   have finished before or after it. So "since" is a cursor: the second of the mark counts, and
 *   the tasks already counted in that second are named (by uuid) to be left out.
 */
import type { Ref, TaskRecord, VmRecord } from './records.ts';

export const NOT_ENOUGH_MEMORY = 'HOST_NOT_ENOUGH_FREE_MEMORY';
const START_CALLS = /^(Async\.)?VM\.(start|start_on|resume|resume_on)$/;

export interface StartRefusal {
  taskRef: Ref;
  taskUuid: string;
  /** The call as sent: "Async.VM.start". */
  call: string;
  /** When the task finished, epoch ms. */
  finishedAt: number;
  neededBytes: number;
  availableBytes: number;
  /** The VM, when the task names it (other_config["applies_to"]). */
  vm?: { ref: Ref; uuid: string; name: string };
}

/**
 * Where counting starts: refusals finished in the second of `from` (epoch ms) or later count,
 * except the tasks in `seenTaskUuids` (those already counted, from that second).
 */
export interface RefusalCursor {
  from: number;
  seenTaskUuids?: readonly string[];
}

/**
 * The cursor after counting `counted` on top of `was`: the latest finish second, with every task
 * counted in it (the ones seen before in the same second too). `was` when nothing was counted.
 */
export function advanceRefusalCursor(was: RefusalCursor | undefined, counted: readonly StartRefusal[]): RefusalCursor | undefined {
  if (counted.length === 0) return was;
  const latest = Math.max(...counted.map((r) => r.finishedAt));
  const second = Math.floor(latest / 1000);
  const carried = was && Math.floor(was.from / 1000) === second ? (was.seenTaskUuids ?? []) : [];
  const now = counted.filter((r) => Math.floor(r.finishedAt / 1000) === second && r.taskUuid !== '').map((r) => r.taskUuid);
  return { from: latest, seenTaskUuids: [...new Set([...carried, ...now])].sort() };
}

/**
 * XAPI's datetime: "20261206T02:00:03Z" (xapi's own), with optional fraction and offset, or the
 * ISO extended form; epoch ms, or undefined when it is not one.
 */
export function parseXapiDateTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const zone = m[8] === undefined || m[8] === 'Z' ? 'Z' : `${m[8].slice(0, 3)}:${m[8].slice(-2)}`;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${zone}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A byte count as xapi sends it: a decimal string (or a JSON number); undefined otherwise. */
function bytes(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The guest an applies_to entry names (a ref or a uuid), if it is one. */
function namedVm(appliesTo: unknown, vms: Readonly<Record<Ref, Partial<VmRecord>>>): StartRefusal['vm'] {
  if (typeof appliesTo !== 'string') return undefined;
  for (const entry of appliesTo.split(',').map((e) => e.trim()).filter(Boolean)) {
    const hit = Object.entries(vms).find(([ref, v]) => (ref === entry || v.uuid === entry) && v.is_control_domain !== true && v.is_a_template !== true && v.is_a_snapshot !== true);
    if (hit) return { ref: hit[0], uuid: hit[1].uuid ?? '', name: hit[1].name_label ?? hit[0] };
  }
  return undefined;
}

/**
 * The memory refusals among the tasks, oldest first (then by task ref): failed VM starts (and
 * resumes) whose error is HOST_NOT_ENOUGH_FREE_MEMORY with two byte counts, from the cursor on
 * when one is given. Successes, pending tasks, other calls, other errors and records without a
 * readable finish time or byte counts are left out.
 */
export function startRefusals(tasks: Readonly<Record<Ref, Partial<TaskRecord>>>, vms: Readonly<Record<Ref, Partial<VmRecord>>>, since?: RefusalCursor): StartRefusal[] {
  const fromSecond = since ? Math.floor(since.from / 1000) * 1000 : undefined;
  const seen = new Set(since?.seenTaskUuids ?? []);
  const out: StartRefusal[] = [];
  for (const [ref, t] of Object.entries(tasks)) {
    if (t.status !== 'failure' || typeof t.name_label !== 'string' || !START_CALLS.test(t.name_label)) continue;
    const info = Array.isArray(t.error_info) ? t.error_info : [];
    if (info[0] !== NOT_ENOUGH_MEMORY) continue;
    const neededBytes = bytes(info[1]);
    const availableBytes = bytes(info[2]);
    const finishedAt = parseXapiDateTime(t.finished);
    if (neededBytes === undefined || availableBytes === undefined || finishedAt === undefined) continue;
    if (fromSecond !== undefined && (finishedAt < fromSecond || seen.has(t.uuid ?? ''))) continue;
    const vm = namedVm(t.other_config?.applies_to, vms);
    out.push({ taskRef: ref, taskUuid: t.uuid ?? '', call: t.name_label, finishedAt, neededBytes, availableBytes, ...(vm ? { vm } : {}) });
  }
  return out.sort((a, b) => a.finishedAt - b.finishedAt || (a.taskRef < b.taskRef ? -1 : a.taskRef > b.taskRef ? 1 : 0));
}
