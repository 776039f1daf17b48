import { describe, expect, it } from 'vitest';
import { matchBmcsToHosts, type FoundBmc, type PoolHostInfo } from '../../lib/onboard/match.ts';

const AT = '2026-12-05T12:00:00.000Z';
const host = (hostId: string, serial: string | undefined, extra: Partial<PoolHostInfo> = {}): PoolHostInfo => ({ hostId, uuid: `uuid-${hostId}`, serial, isMaster: false, ...extra });
const bmc = (port: number, productSerial: string | undefined, extra: Partial<FoundBmc> = {}): FoundBmc => ({
  address: '127.0.0.1',
  port,
  protocol: 'ipmi',
  identity: { protocol: 'ipmi', productSerial, guid: `0000000${port}-0000-4000-8000-000000000000` },
  ...extra,
});
const summary = (rows: ReturnType<typeof matchBmcsToHosts>) => rows.map((r) => `${r.hostId ?? '-'} ${r.bmc ?? '-'} ${r.match}`);

describe('matching BMCs to the hosts XAPI knows', () => {
  it('matches by serial, whatever the order found, and leaves the rest as no-bmc and no-host', () => {
    const rows = matchBmcsToHosts(
      'pool-1',
      [host('host-002', 'SN-B'), host('host-001', 'SN-A', { isMaster: true }), host('host-003', 'SN-C')],
      [bmc(16231, 'sn-b'), bmc(16230, 'SN-A'), bmc(16239, 'SN-X')],
      [],
      AT,
    );
    expect(summary(rows)).toEqual(['host-001 127.0.0.1:16230 matched', 'host-002 127.0.0.1:16231 matched', 'host-003 - no-bmc', '- 127.0.0.1:16239 no-host']);
    expect(rows[0].write).toMatch(/add host-001 \(pool master\) with BMC 127\.0\.0\.1:16230 over ipmi, bound/);
    expect(rows[0].binding?.state).toBe('bound');
    expect(rows[2].byHand).toMatch(/^lowpower host add host-003 --pool pool-1 --bmc ADDRESS\[:PORT\] --protocol auto --bmc-user USER --bmc-password-file FILE$/);
    expect(rows[3].write).toMatch(/serial 'SN-X' is no host of pool pool-1/);
  });

  it('a placeholder serial never matches, on either side', () => {
    for (const placeholder of ['To be filled by O.E.M.', '0123456789', 'Default string', '00000000']) {
      const rows = matchBmcsToHosts('p', [host('h1', placeholder)], [bmc(1, placeholder)], [], AT);
      expect(summary(rows), placeholder).toEqual(['h1 - placeholder-serial', '- 127.0.0.1:1 placeholder-serial']);
      expect(rows.some((r) => r.match === 'matched')).toBe(false);
    }
  });

  it('two BMCs with one serial match nothing', () => {
    const rows = matchBmcsToHosts('p', [host('h1', 'SN-A')], [bmc(1, 'SN-A'), bmc(2, 'SN-A')], [], AT);
    expect(summary(rows)).toEqual(['h1 127.0.0.1:1 duplicate-serial', 'h1 127.0.0.1:2 duplicate-serial']);
    // Two BMCs with one serial that no host has: both are shown, neither as no-host alone.
    const orphans = matchBmcsToHosts('p', [], [bmc(1, 'SN-Z'), bmc(2, 'SN-Z')], [], AT);
    expect(summary(orphans)).toEqual(['- 127.0.0.1:1 duplicate-serial', '- 127.0.0.1:2 duplicate-serial']);
  });

  it('a board serial that disagrees stops the match, as the binding check would', () => {
    const b = bmc(1, 'SN-A');
    (b.identity as { boardSerial?: string }).boardSerial = 'BOARD-9';
    const rows = matchBmcsToHosts('p', [host('h1', 'SN-A', { boardSerial: 'BOARD-1' })], [b], [], AT);
    expect(rows[0].match).not.toBe('matched');
    expect(rows[0].write).toMatch(/board serial/);
  });

  it('hosts in the store already: the same BMC is already-bound, another BMC is left to a person', () => {
    const rows = matchBmcsToHosts(
      'p',
      [host('h1', 'SN-A'), host('h2', 'SN-B'), host('h3', 'SN-C')],
      [bmc(1, 'SN-A'), bmc(2, 'SN-B')],
      [
        { hostId: 'h1', bmcAddress: '127.0.0.1', bmcPort: 1, bindingState: 'bound' },
        { hostId: 'h2', bmcAddress: '10.0.0.9', bmcPort: 623, bindingState: 'bound' },
        { hostId: 'h3', bmcAddress: '10.0.0.10', bmcPort: 623, bindingState: 'bound' },
      ],
      AT,
    );
    expect(summary(rows)).toEqual(['h1 127.0.0.1:1 already-bound', 'h2 127.0.0.1:2 bound-elsewhere', 'h3 - already-bound']);
    expect(rows.every((r) => r.binding === undefined)).toBe(true);
  });

  it('a BMC whose identity could not be read is listed with why, never matched', () => {
    const rows = matchBmcsToHosts('p', [host('h1', 'SN-A')], [{ address: '127.0.0.1', port: 5, protocol: 'redfish', url: 'https://127.0.0.1:5', error: 'wrong user or password' }], [], AT);
    expect(summary(rows)).toEqual(['h1 - no-bmc', '- 127.0.0.1:5 unreadable']);
    expect(rows[1].write).toMatch(/wrong user or password/);
    expect(rows[1].byHand).toMatch(/^lowpower host add HOST --pool p --bmc 127\.0\.0\.1:5 --protocol redfish /);
  });
});
