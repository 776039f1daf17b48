/**
 * The command runner of one BMC: it owns the session (opened on first use, reused, opened again
 * when the BMC dropped it), keeps one command in flight, paces commands, backs off while the BMC
 * is busy, and turns replies into decoded results or named errors. The per-command methods of
 * `Bmc` and the multi-command procedures (SDR, SEL, FRU, power) all reach the BMC through `run`.
 */
import type { IpmiCommand } from './commands/command.ts';
import type { HostQuirkView, IpmiSession } from './session/session.ts';
import { login, type LoginPlan } from './session/login.ts';
import type { BridgeTarget } from './codec/bridge.ts';
import { completionCodeName } from './codec/completion-codes.ts';
import { fixReply, quirkOn } from './quirks.ts';
import { IpmiCompletionCodeError, IpmiError, IpmiNotSupportedError, IpmiSessionsExhaustedError, IpmiTimeoutError } from './errors.ts';
import { backoffDelay, retry } from '../util/index.ts';

export interface RunOptions {
  /** Send once, no retransmission and no repeat after a new login: for commands that change the chassis. */
  once?: boolean;
  /** The responder's LUN (a sensor on LUN 1-3). */
  lun?: number;
  /** Send to a controller behind the BMC (a sensor the Intel ME owns). */
  bridge?: BridgeTarget;
}

/** What a procedure needs of a BMC: one command at a time, decoded. */
export interface CommandRunner {
  run<Req, Res>(command: IpmiCommand<Req, Res>, req: Req, o?: RunOptions): Promise<Res>;
}

export interface SessionRunnerOptions {
  /** "host:port", for messages. */
  key: string;
  /** The BMC's host, as completion-code errors name it. */
  host: string;
  /** A new, not yet opened session for a login plan (credentials, version and suites are the caller's business). */
  newSession: (plan: LoginPlan) => Promise<IpmiSession>;
  /** The privilege asked for explicitly; undefined lets the login fall back from Administrator to Operator. */
  privilege?: number;
  /** The user name is shorter than 16 bytes (the padded-user-name fallback can apply). */
  paddableUserName: boolean;
  /** Deadline of one request, retransmissions included. */
  timeoutMs: number;
  /** Retransmissions within that deadline; also the bound of busy back-offs and of whole handshakes. */
  retries: number;
  /** Least time from the end of one command to the next (0: none); the quirks' commandGapMs when absent. */
  minGapMs?: number;
  /** The quirks in force and what is known of this BMC. */
  hq: HostQuirkView;
}

/** "Node busy" (IPMI v2.0 table 5-2): the BMC did not run the command; asking again later is safe. */
const NODE_BUSY = 0xc0;
/** The first busy back-off cap; it doubles per retry, as it did before retry.ts carried it. */
const BUSY_BASE_MS = 20;
/** Back-off before a whole new handshake: long enough to let a lossy link breathe, short beside a deadline. */
const HANDSHAKE_BASE_MS = 20;
const HANDSHAKE_MAX_MS = 500;
/** Back-off before logging in again when every session slot was taken: a slot frees when a console closes, or after a minute. */
const NO_SLOT_BASE_MS = 250;
const NO_SLOT_MAX_MS = 2_000;

const isNodeBusy = (e: unknown): boolean => e instanceof IpmiCompletionCodeError && e.code === NODE_BUSY;

export class SessionRunner implements CommandRunner {
  private session?: IpmiSession;
  private opening?: Promise<IpmiSession>;
  private queue: Promise<unknown> = Promise.resolve();
  /** When the last command (or login) ended: the pacing gap and the idle limit count from it. */
  private lastDone = 0;
  private closed = false;
  private answered = false;

  constructor(private readonly o: SessionRunnerOptions) {}

  /** True once a session with this BMC has been opened. */
  get hasAnswered(): boolean {
    return this.answered;
  }

  /** What protects the session: "cipher suite 17", "IPMI 1.5 MD5"... */
  get security(): string {
    return this.session?.security ?? 'not connected';
  }

  /** The BMC's GUID from the last RMCP+ login (hex), when there was one. */
  get bmcGuid(): string | undefined {
    return this.session?.bmcGuid ?? this.lastGuid;
  }

  private lastGuid?: string;

  /** Log in now (otherwise the first command does). */
  async connect(): Promise<void> {
    await this.ensureSession();
  }

  /** Run one command in this BMC's queue and decode its answer. */
  run<Req, Res>(command: IpmiCommand<Req, Res>, req: Req, o: RunOptions = {}): Promise<Res> {
    const data = command.encode(req);
    // One new login per command at most, however many busy answers come before or after it.
    const state = { reopened: false };
    return this.enqueue(() =>
      retry(() => this.sendOnce(command, data, o, state), {
        attempts: this.o.retries + 1,
        retryOn: isNodeBusy,
        baseMs: BUSY_BASE_MS,
        maxMs: BUSY_BASE_MS * 2 ** Math.max(0, this.o.retries - 1),
      }).finally(() => (this.lastDone = performance.now())),
    );
  }

  /**
   * One command on the current session: a timeout on a reused session (the BMC may have dropped
   * it) logs in again and asks once more, unless the command must not be repeated (then the
   * session is kept for the next command to test).
   */
  private async sendOnce<Req, Res>(command: IpmiCommand<Req, Res>, data: Buffer, o: RunOptions, state: { reopened: boolean }): Promise<Res> {
    for (;;) {
      this.replaceIdleSession();
      const fresh = !this.session?.isOpen;
      const session = await this.ensureSession();
      const gap = this.gap();
      if (gap) await gap;
      try {
        const rsp = await session.send(command.netFn, command.cmd, data, {
          what: command.name,
          timeoutMs: this.o.timeoutMs,
          retries: o.once ? 0 : this.o.retries,
          lun: o.lun,
          bridge: o.bridge,
        });
        if (rsp.completionCode !== 0) throw this.completionError(command, rsp.completionCode);
        return command.decode(fixReply(this.o.hq.quirks, command.netFn, command.cmd, rsp.data));
      } catch (e) {
        if (!(e instanceof IpmiTimeoutError)) throw e;
        // A command sent once that got no answer is one lost exchange, not proof of a dead session:
        // the session is kept, and the next command (a status read, never the power change again)
        // finds out whether it still lives, logging in again if it does not.
        if (o.once) throw e;
        this.dropSession(session);
        if (fresh || state.reopened) throw e;
        state.reopened = true;
      }
    }
  }

  private completionError(command: IpmiCommand<unknown, unknown>, code: number): IpmiCompletionCodeError {
    const name = completionCodeName(code, command.completionCodes);
    const E = this.o.hq.quirks.notSupportedCodes.has(code) ? IpmiNotSupportedError : IpmiCompletionCodeError;
    return new E(command.name, code, name, this.o.host);
  }

  private ensureSession(): Promise<IpmiSession> {
    if (this.closed) return Promise.reject(new IpmiError(`${this.o.key}: BMC handle is closed`));
    if (this.session?.isOpen) return Promise.resolve(this.session);
    this.opening ??= this.openSession()
      .then((s) => {
        this.session = s;
        this.lastGuid = s.bmcGuid;
        this.answered = true;
        this.lastDone = performance.now();
        return s;
      })
      .finally(() => (this.opening = undefined));
    return this.opening;
  }

  /**
   * Log in (session/login.ts: with the table's fallbacks). A handshake cut short by a lost packet
   * cannot be resumed (BMCs do not answer a repeated RAKP 3, and a lost Open Session reply is
   * final for that exchange), so it is started again as a whole, with a new session ID, after a
   * short jittered pause. Only when the BMC answered some message of the failed handshake: it is
   * there and the link loses packets. A BMC that answers nothing fails within one deadline, as
   * before. A BMC whose session slots are all taken (sessions-exhausted) is asked again after a
   * longer pause, as slots free when other consoles close theirs.
   */
  private async openSession(): Promise<IpmiSession> {
    let last: IpmiSession | undefined;
    const attempts = this.o.retries + 1;
    for (let attempt = 0; ; attempt++) {
      try {
        return await login({
          hq: this.o.hq,
          privilege: this.o.privilege,
          paddableUserName: this.o.paddableUserName,
          newSession: this.o.newSession,
          onSession: (s) => (last = s),
        });
      } catch (e) {
        const lostPacket = e instanceof IpmiTimeoutError && !!last?.handshakeAnswered;
        const noSlot = e instanceof IpmiSessionsExhaustedError && quirkOn(this.o.hq.quirks, 'sessions-exhausted');
        if ((!lostPacket && !noSlot) || attempt + 1 >= attempts || this.closed) throw e;
        const wait = noSlot ? backoffDelay(attempt, { baseMs: NO_SLOT_BASE_MS, maxMs: NO_SLOT_MAX_MS }) : backoffDelay(attempt, { baseMs: HANDSHAKE_BASE_MS, maxMs: HANDSHAKE_MAX_MS });
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * session-idle-reopen: a session idle longer than the BMC may keep it is given up before the
   * next command rather than found dead by it (a power command sent once would be lost to it).
   */
  private replaceIdleSession(): void {
    const s = this.session;
    if (!s?.isOpen || !quirkOn(this.o.hq.quirks, 'session-idle-reopen')) return;
    if (performance.now() - this.lastDone >= this.o.hq.quirks.sessionIdleMs) this.dropSession(s);
  }

  /** Drop a session that stopped answering; a best-effort Close Session frees its slot. */
  private dropSession(s: IpmiSession): void {
    if (this.session === s) this.session = undefined;
    void s.close(Math.min(500, this.o.timeoutMs));
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * command-gap: wait until the BMC has had its least gap since the last command ended (counted
   * from the end, as Ironic does: a slow answer is no reason to hurry the next command).
   */
  private gap(): Promise<void> | undefined {
    const gapMs = this.o.minGapMs ?? (quirkOn(this.o.hq.quirks, 'command-gap') ? this.o.hq.quirks.commandGapMs : 0);
    const wait = this.lastDone + gapMs - performance.now();
    // No gap due: no promise either (most commands, as the default gap is none).
    if (gapMs > 0 && wait > 0) return new Promise((r) => setTimeout(r, wait));
    return undefined;
  }

  /** Close the session on the BMC after the commands already queued; later commands are refused. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      this.closed = true;
      try {
        await this.opening?.catch(() => undefined);
        await this.session?.close(Math.min(1000, this.o.timeoutMs));
      } finally {
        this.session = undefined;
      }
    });
  }
}
