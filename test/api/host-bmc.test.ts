/** When a changed host's Redfish certificate is pinned afresh (a new address or port), pure. */
import { describe, expect, it } from 'vitest';
import { repinOnMove } from '../../lib/api/host-bmc.ts';

const host = { bmcProtocol: 'redfish' as const, bmcScheme: 'https' as const, bmcAddress: '10.0.0.1', bmcPort: 1623, tlsPin: { fingerprint256: 'AA', pinnedAt: '2026-12-01T00:00:00.000Z' } };

describe('a Redfish host given a new address', () => {
  it('is pinned afresh on a new address or port, each compared apart', () => {
    expect(repinOnMove(host, { bmcAddress: '10.0.0.2' })).toBe(true);
    expect(repinOnMove(host, { bmcPort: 443 })).toBe(true);
    // Joined as text these read the same ("10.0.0.11623"): another server all the same.
    expect(repinOnMove(host, { bmcAddress: '10.0.0.11', bmcPort: 623 })).toBe(true);
    expect(repinOnMove(host, { bmcAddress: '10.0.0.1', bmcPort: 1623 })).toBe(false);
    expect(repinOnMove(host, {})).toBe(false);
  });

  it('not over plain http, not when verified against a CA, not over IPMI', () => {
    expect(repinOnMove({ ...host, bmcScheme: 'http' }, { bmcAddress: '10.0.0.2' })).toBe(false);
    expect(repinOnMove({ ...host, tlsPin: { ca: true, pinnedAt: '2026-12-01T00:00:00.000Z' } }, { bmcAddress: '10.0.0.2' })).toBe(false);
    expect(repinOnMove({ ...host, bmcProtocol: 'ipmi' }, { bmcAddress: '10.0.0.2' })).toBe(false);
  });
});
