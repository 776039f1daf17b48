/**
 * Error messages that name their field: a schema says `phrase('must be 3 or 17')` and the 400
 * says "cipherSuite must be 3 or 17" (or "policy.minHostsOn ...": the field's whole path).
 */
export const FIELD_MARK = '\u0000';

export const phrase = (text: string): string => FIELD_MARK + text;
