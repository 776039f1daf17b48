/** The shape every IPMI command module follows: one request encoder, one response decoder. */
export interface IpmiCommand<Req, Res> {
  /** The specification's name, used in errors ("Get SDR failed: ..."). */
  readonly name: string;
  readonly netFn: number;
  readonly cmd: number;
  encode(req: Req): Buffer;
  /** Decodes response data after the completion code. Throws IpmiProtocolError on bad data. */
  decode(data: Buffer): Res;
  /** Command-specific completion codes (0x80-0xBE), by value. */
  readonly completionCodes?: Readonly<Record<number, string>>;
}

export function defineCommand<Req, Res>(c: IpmiCommand<Req, Res>): IpmiCommand<Req, Res> {
  return c;
}

export const noData = (): Buffer => Buffer.alloc(0);

/** Privilege levels, IPMI v2.0 table 6-2 (and 0x0F "no access" in user and channel limits). */
export const Privilege = { callback: 1, user: 2, operator: 3, administrator: 4, oem: 5, noAccess: 0x0f } as const;
export type PrivilegeName = 'callback' | 'user' | 'operator' | 'administrator' | 'oem' | 'no access';

export function privilegeName(level: number): PrivilegeName | `0x${string}` {
  const names: Record<number, PrivilegeName> = { 1: 'callback', 2: 'user', 3: 'operator', 4: 'administrator', 5: 'oem', 15: 'no access' };
  return names[level] ?? `0x${level.toString(16)}`;
}

/** Runs a command on one BMC: how the helpers above the command layer reach it. */
export type RunCommand = <Req, Res>(c: IpmiCommand<Req, Res>, req: Req) => Promise<Res>;
