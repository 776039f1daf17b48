/**
 * Typed errors of the IPMI client. Every failure a caller can see is one of these; messages name
 * the BMC and what to check, and never carry a password or key material.
 */

/** Completion codes that mean "this BMC does not implement it": 0xC1 invalid command, 0xC2 invalid for this LUN, 0xD6 sub-function disabled. */
export const NOT_SUPPORTED_CODES: ReadonlySet<number> = new Set([0xc1, 0xc2, 0xd6]);

export class IpmiError extends Error {
  override readonly name: string = 'IpmiError';
  constructor(message: string) {
    super(message);
  }
}

/** No (valid) answer from the BMC before the deadline. */
export class IpmiTimeoutError extends IpmiError {
  override readonly name: string = 'IpmiTimeoutError';
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
  override readonly name: string = 'IpmiAuthError';
  constructor(
    readonly host: string,
    readonly port: number,
    reason: string,
  ) {
    super(`${host}:${port}: login failed: ${reason}`);
  }
}

/** Every session slot of the BMC is taken (RMCP+ status 0x01 / 0x0B, IPMI 1.5 Activate Session 0x81-0x83): worth another try later. */
export class IpmiSessionsExhaustedError extends IpmiAuthError {
  override readonly name: string = 'IpmiSessionsExhaustedError';
}

/** The BMC will not grant the privilege asked for (RAKP 2 role refused, a lower maximum, Set Session Privilege Level refused). */
export class IpmiPrivilegeRefusedError extends IpmiAuthError {
  override readonly name: string = 'IpmiPrivilegeRefusedError';
  constructor(
    host: string,
    port: number,
    reason: string,
    /** The privilege that was refused. */
    readonly privilege: number,
  ) {
    super(host, port, reason);
  }
}

/** The BMC does not know the user name as it was sent (RAKP 2 status 0x0D). */
export class IpmiUserNameRefusedError extends IpmiAuthError {
  override readonly name: string = 'IpmiUserNameRefusedError';
}

/**
 * A password IPMI cannot carry: at most 20 bytes over RMCP+ (IPMI 2.0), 16 over IPMI 1.5. Raised
 * before anything is sent; the message gives the length, never the password.
 */
export class IpmiPasswordTooLongError extends IpmiError {
  override readonly name: string = 'IpmiPasswordTooLongError';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly length: number,
    readonly limit: number,
  ) {
    super(
      `${host}:${port}: the BMC password is ${length} bytes, and IPMI ${limit === 16 ? '1.5' : '2.0'} carries at most ${limit}: ` +
        `this BMC cannot be reached over IPMI with it. Use Redfish (protocol "redfish"), which takes longer passwords, or set a password of ${limit} bytes or fewer`,
    );
  }
}

/** The BMC answered with a completion code other than 0x00. */
export class IpmiCompletionCodeError extends IpmiError {
  override readonly name: string = 'IpmiCompletionCodeError';
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
export class IpmiProtocolError extends IpmiError {
  override readonly name: string = 'IpmiProtocolError';
}

/** An IPMI message whose checksum does not add up (some BMCs send them: see the no-checksum-check quirk). */
export class IpmiChecksumError extends IpmiProtocolError {
  override readonly name: string = 'IpmiChecksumError';
}

/** A request the caller must not make without saying so explicitly (weak auth, cipher suite 0). */
export class IpmiInsecureError extends IpmiError {
  override readonly name: string = 'IpmiInsecureError';
}

/** The BMC does not implement a feature (DCMI, FRU, SEL...): a fact about the BMC, not a failure of ours. */
export class IpmiNotSupportedError extends IpmiCompletionCodeError {
  override readonly name: string = 'IpmiNotSupportedError';
  constructor(command: string, code: number, codeName: string, host?: string) {
    super(command, code, codeName, host);
    this.message = `${host ? `${host}: ` : ''}${command} is not supported by this BMC (completion code 0x${code.toString(16).padStart(2, '0')}: ${codeName})`;
  }
}
