/**
 * Typed errors of the IPMI client. Every failure a caller can see is one of these; messages name
 * the BMC and what to check, and never carry a password or key material.
 */

/** Completion codes that mean "this BMC does not implement it": 0xC1 invalid command, 0xC2 invalid for this LUN, 0xD6 sub-function disabled. */
export const NOT_SUPPORTED_CODES: ReadonlySet<number> = new Set([0xc1, 0xc2, 0xd6]);

export class IpmiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No (valid) answer from the BMC before the deadline. */
export class IpmiTimeoutError extends IpmiError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly tries: number,
    readonly what: string,
    readonly elapsedMs: number,
  ) {
    super(
      `${host}:${port}: no answer to ${what} after ${tries} ${tries === 1 ? 'try' : 'tries'} ` +
        `in ${Math.round(elapsedMs)} ms (check the address, the UDP port and that IPMI over LAN is enabled)`,
    );
  }
}

/** Login refused: unknown user, wrong password, privilege not granted, or a forged answer. */
export class IpmiAuthError extends IpmiError {
  constructor(
    readonly host: string,
    readonly port: number,
    reason: string,
  ) {
    super(`${host}:${port}: login failed: ${reason}`);
  }
}

/** The BMC answered with a completion code other than 0x00. */
export class IpmiCompletionCodeError extends IpmiError {
  constructor(
    readonly command: string,
    readonly code: number,
    readonly codeName: string,
    readonly host?: string,
  ) {
    super(
      `${host ? `${host}: ` : ''}${command} failed: completion code 0x${code
        .toString(16)
        .padStart(2, '0')} (${codeName})`,
    );
  }

  /** The BMC does not implement what was asked (DCMI, FRU, ...): see NOT_SUPPORTED_CODES. */
  get notSupported(): boolean {
    return NOT_SUPPORTED_CODES.has(this.code);
  }
}

/** A packet or field that does not follow the specification. */
export class IpmiProtocolError extends IpmiError {}

/** A request the caller must not make without saying so explicitly (weak auth, cipher suite 0). */
export class IpmiInsecureError extends IpmiError {}

/** The BMC does not implement a feature (DCMI, FRU, SEL...): a fact about the BMC, not a failure of ours. */
export class IpmiNotSupportedError extends IpmiCompletionCodeError {
  constructor(command: string, code: number, codeName: string, host?: string) {
    super(command, code, codeName, host);
    this.message = `${host ? `${host}: ` : ''}${command} is not supported by this BMC (completion code 0x${code.toString(16).padStart(2, '0')}: ${codeName})`;
  }
}
