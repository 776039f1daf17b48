/**
 * A BMC for testing one procedure on its own: it serves the commands the test scripts, and every
 * request and reply goes through the command's own codecs both ways (encode, decodeRequest,
 * encodeResponse, decode), as over the wire. A handler throws a completion code to refuse.
 */
import type { CommandRunner, RunOptions } from '../../lib/ipmi/command-runner.ts';
import type { BmcCommand, IpmiCommand } from '../../lib/ipmi/commands/command.ts';
import { completionCodeName } from '../../lib/ipmi/codec/completion-codes.ts';
import { IpmiCompletionCodeError } from '../../lib/ipmi/errors.ts';

type Handler = (req: never) => unknown;

/** What a handler throws to answer with a completion code. */
export class Refuse {
  constructor(readonly code: number) {}
}

export class ScriptedBmc implements CommandRunner {
  /** Every command asked, by name, in order. */
  readonly asked: string[] = [];
  /** The run options (LUN, bridge, once) of each command asked, in the same order. */
  readonly options: RunOptions[] = [];
  private readonly handlers = new Map<string, Handler>();

  on<Req, Res>(command: BmcCommand<Req, Res>, handler: (req: Req) => Res): this {
    this.handlers.set(command.name, handler as Handler);
    return this;
  }

  async run<Req, Res>(command: IpmiCommand<Req, Res>, req: Req, o: RunOptions = {}): Promise<Res> {
    this.asked.push(command.name);
    this.options.push(o);
    const handler = this.handlers.get(command.name);
    if (!handler || !command.decodeRequest || !command.encodeResponse) throw new Error(`the test did not script ${command.name}`);
    const seen = command.decodeRequest(command.encode(req));
    let res: Res;
    try {
      res = (handler as (r: Req) => Res)(seen);
    } catch (e) {
      if (e instanceof Refuse) throw new IpmiCompletionCodeError(command.name, e.code, completionCodeName(e.code, command.completionCodes));
      throw e;
    }
    return command.decode(command.encodeResponse(res));
  }

  /** How many times a command was asked. */
  count(command: IpmiCommand<unknown, unknown>): number {
    return this.asked.filter((n) => n === command.name).length;
  }
}
