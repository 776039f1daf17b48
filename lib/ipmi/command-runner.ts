/**
 * The command runner of one BMC: it owns the session (opened on first use, reused, opened again
 * when the BMC dropped it), keeps one command in flight, paces commands, backs off while the BMC
 * is busy, and turns replies into decoded results or named errors. The per-command methods of
 * `Bmc` and the multi-command procedures (SDR, SEL, FRU, power) all reach the BMC through `run`.
 */
import type { IpmiCommand } from './commands/command.ts';
import type { IpmiSession } from './session/session.ts';
import { completionCodeName } from './codec/completion-codes.ts';
import { fixReply, type BmcQuirks } from './quirks.ts';
import { IpmiCompletionCodeError, IpmiError, IpmiNotSupportedError, IpmiTimeoutError } from './errors.ts';
import { retry } from '../util/index.ts';

export interface RunOptions {
  /** Send once, no retransmission and no repeat after a new login: for commands that change the chassis. */
  once?: boolean;
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
  /** A new, not yet opened session (credentials, version and suites are the caller's business). */
  newSession: () => Promise<IpmiSession>;
  /** Deadline of one request, retransmissions included. */
  timeoutMs: number;
  /** Retransmissions within that deadline; also the bound of busy back-offs and of whole handshakes. */
  retries: number;
  /** Least time between two commands (0: none). */
  minGapMs: number;
  quirks: BmcQuirks;
}

/** "Node busy" (IPMI v2.0 table 5-2): the BMC did not run the command; asking again later is safe. */
const NODE_BUSY = 0xc0;
/** The first busy back-off cap; it doubles per retry, as it did before retry.ts carried it. */
const BUSY_BASE_MS = 20;
/** Back-off before a whole new handshake: long enough to let a lossy link breathe, short beside a deadline. */
const HANDSHAKE_BASE_MS = 20;
const HANDSHAKE_MAX_MS = 500;

const isNodeBusy = (e: unknown): boolean => e instanceof IpmiCompletionCodeError && e.code === NODE_BUSY;

export class SessionRunner implements CommandRunner {
  private session?: IpmiSession;
  private opening?: Promise<IpmiSession>;
  private queue: Promise<unknown> = Promise.resolve();
  private lastSent = 0;
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
      }),
    );
  }

  /**
   * One command on the current session: a timeout on a reused session (the BMC may have dropped
   * it) logs in again and asks once more, unless the command must not be repeated (then the
   * session is kept for the next command to test).
   */
  private async sendOnce<Req, Res>(command: IpmiCommand<Req, Res>, data: Buffer, o: RunOptions, state: { reopened: boolean }): Promise<Res> {
    for (;;) {
      const fresh = !this.session?.isOpen;
      const session = await this.ensureSession();
      await this.gap();
      try {
        const rsp = await session.send(command.netFn, command.cmd, data, {
          what: command.name,
          timeoutMs: this.o.timeoutMs,
          retries: o.once ? 0 : this.o.retries,
        });
        if (rsp.completionCode !== 0) throw this.completionError(command, rsp.completionCode);
        return command.decode(fixReply(this.o.quirks, command.netFn, command.cmd, rsp.data));
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
    const E = this.o.quirks.notSupportedCodes.has(code) ? IpmiNotSupportedError : IpmiCompletionCodeError;
    return new E(command.name, code, name, this.o.host);
  }

  private ensureSession(): Promise<IpmiSession> {
    if (this.closed) return Promise.reject(new IpmiError(`${this.o.key}: BMC handle is closed`));
    if (this.session?.isOpen) return Promise.resolve(this.session);
    this.opening ??= this.openSession()
      .then((s) => {
        this.session = s;
        this.answered = true;
        return s;
      })
      .finally(() => (this.opening = undefined));
    return this.opening;
  }

  /**
   * Log in. A handshake cut short by a lost packet cannot be resumed (BMCs do not answer a
   * repeated RAKP 3, and a lost Open Session reply is final for that exchange), so it is started
   * again as a whole, with a new session ID, after a short jittered pause. Only when the BMC
   * answered some message of the failed handshake: it is there and the link loses packets. A BMC
   * that answers nothing fails within one deadline, as before.
   */
  private openSession(): Promise<IpmiSession> {
    let last: IpmiSession | undefined;
    return retry(
      async () => {
        last = await this.o.newSession();
        await last.open();
        return last;
      },
      {
        attempts: this.o.retries + 1,
        retryOn: (e) => e instanceof IpmiTimeoutError && !!last?.handshakeAnswered && !this.closed,
        baseMs: HANDSHAKE_BASE_MS,
        maxMs: HANDSHAKE_MAX_MS,
      },
    );
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

  private async gap(): Promise<void> {
    const gapMs = this.o.minGapMs;
    const wait = this.lastSent + gapMs - performance.now();
    if (gapMs > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.lastSent = performance.now();
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
