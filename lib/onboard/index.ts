/** lib/onboard: adding hosts and pools (probes, BMC ranges, serial matching, import). */
export { probeCertificate, probeProtocol } from './probe.ts';
export { ImportError, importPool, summaryLine, type ImportResult } from './import.ts';
export { type MatchState } from './match.ts';
