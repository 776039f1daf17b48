/**
 * The session quirks of the table (lib/ipmi/quirks.ts), each against our simulator in the mode
 * that shows it (lib/sim/ipmi/quirk-modes.ts), over real UDP: with the handling the command
 * succeeds; with the entry taken out of the table (`without`) the same call fails, as it did
 * before the handling existed. Each test's comment says what breaks without it.
 */
import { describe, expect, it } from 'vitest';
import { IpmiPasswordTooLongError, IpmiPrivilegeRefusedError, IpmiSessionsExhaustedError, IpmiUserNameRefusedError } from '../../../lib/ipmi/errors.ts';
import type { Bmc } from '../../../lib/ipmi/client.ts';
import { ChassisAction, chassisControl } from '../../../lib/ipmi/commands/chassis.ts';
import { client, failure, quirkSim } from './quirk-support.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('session quirks', () => {
  // Without: the first "insufficient resources for session" is final; the power read fails.
  it('sessions-exhausted: logs in again after a pause while stale sessions hold every slot', async () => {
    const sim = await quirkSim({ sessionsExhaustedFor: 2 });
    expect(await client(sim).power('status')).toMatchObject({ power: 'on' });
    expect(sim.engine.counters.sessionsRefused).toBe(2);

    const sim2 = await quirkSim({ sessionsExhaustedFor: 2 });
    expect(await failure(client(sim2, { without: ['sessions-exhausted'] }).power('status'))).toBeInstanceOf(IpmiSessionsExhaustedError);
  });

  it('sessions-exhausted over IPMI 1.5 (Activate Session 0x81)', async () => {
    const sim = await quirkSim({ sessionsExhaustedFor: 1 });
    expect(await client(sim, { lan15: true }).power('status')).toMatchObject({ power: 'on' });
    const sim2 = await quirkSim({ sessionsExhaustedFor: 1 });
    expect(await failure(client(sim2, { lan15: true, without: ['sessions-exhausted'] }).power('status'))).toBeInstanceOf(IpmiSessionsExhaustedError);
  });

  // Without: an account the BMC keeps below Administrator cannot log in at all.
  it.each([['rakp2'], ['set-session-privilege']] as const)('privilege-fallback: Administrator refused in %s, Operator used and remembered', async (where) => {
    const sim = await quirkSim({ adminPrivilegeRefused: where });
    const bmc = client(sim);
    expect(await bmc.power('status')).toMatchObject({ power: 'on' });
    expect(bmc.learned.privilege).toBe(3);
    // Operator is enough for power control.
    expect(await bmc.power('off')).toMatchObject({ power: 'off', changed: true });

    const e = await failure(client(sim, { without: ['privilege-fallback'] }).power('status'));
    expect(e).toBeInstanceOf(IpmiPrivilegeRefusedError);
    // A privilege asked for explicitly is never lowered.
    expect(await failure(client(sim, { privilege: 'administrator' }).power('status'))).toBeInstanceOf(IpmiPrivilegeRefusedError);
  });

  it('privilege-fallback over IPMI 1.5 (Activate Session 0x86)', async () => {
    const sim = await quirkSim({ adminPrivilegeRefused: 'rakp2' });
    const bmc = client(sim, { lan15: true });
    expect(await bmc.power('status')).toMatchObject({ power: 'on' });
    expect(bmc.learned.privilege).toBe(3);
    expect(await failure(client(sim, { lan15: true, without: ['privilege-fallback'] }).power('status'))).toBeInstanceOf(IpmiPrivilegeRefusedError);
  });

  // Without: a Chassis Control sent once (never repeated, so a cycle is never doubled) after the
  // BMC silently dropped the idle session goes to a dead session, gets no answer and is lost.
  it('session-idle-reopen: a session idle past the BMC\'s limit is replaced before a command sent once', async () => {
    const figures = { sessionIdleMs: 150 };
    const powerDownOnce = (bmc: Bmc): Promise<void> => bmc.run(chassisControl, { action: ChassisAction.powerDown }, { once: true });
    const sim = await quirkSim({ idleSessionTimeoutMs: 250 });
    const bmc = client(sim, { figures });
    await bmc.power('status');
    await sleep(350);
    await powerDownOnce(bmc);
    expect(sim.state.host.controlCounts.off).toBe(1);

    const sim2 = await quirkSim({ idleSessionTimeoutMs: 250 });
    const bare = client(sim2, { figures, without: ['session-idle-reopen'] });
    await bare.power('status');
    await sleep(350);
    await failure(powerDownOnce(bare));
    expect(sim2.state.host.controlCounts.off).toBe(0);
  });

  // Without: back-to-back commands freeze the BMC, and the sensor read times out.
  it('command-gap: commands paced from the end of the last answer do not freeze the BMC', async () => {
    const sim = await quirkSim({ freezesUnderMs: 25, freezeForMs: 3_000 });
    const paced = client(sim, { figures: { commandGapMs: 30 } });
    expect((await paced.sensors({ type: 'temperature' })).length).toBeGreaterThan(1);

    const sim2 = await quirkSim({ freezesUnderMs: 25, freezeForMs: 3_000 });
    await failure(client(sim2, { without: ['command-gap'], retries: 1 }).sensors({ type: 'temperature' }));
  });

  // Without: RAKP 2's longer code fails the integrity check, so the login is refused.
  it('rakp2-long-auth-code (FreeIPMI supermicro20 / sun20): the code\'s first bytes checked, then remembered', async () => {
    for (const cipherSuite of [3, 17]) {
      const sim = await quirkSim({ rakp2ExtraByte: true });
      const bmc = client(sim, { cipherSuite });
      expect(await bmc.power('status')).toMatchObject({ power: 'on' });
      expect(bmc.learned.rakp2LongAuthCode).toBe(true);
      await failure(client(sim, { cipherSuite, without: ['rakp2-long-auth-code'] }).power('status'));
    }
  });

  // Without: the BMC does not know "admin" unpadded, and the login fails as a wrong user name.
  it('padded-user-name (FreeIPMI intel20): the name padded to 16 bytes after "unauthorized name", then remembered', async () => {
    const sim = await quirkSim({ paddedUserName: true });
    const bmc = client(sim);
    expect(await bmc.power('status')).toMatchObject({ power: 'on' });
    expect(bmc.learned.paddedUserName).toBe(true);
    expect(await failure(client(sim, { without: ['padded-user-name'] }).power('status'))).toBeInstanceOf(IpmiUserNameRefusedError);
  });

  // Without: every answer is refused for its checksum, and the BMC seems never to answer.
  it('no-checksum-check (FreeIPMI nochecksumcheck): answers with wrong checksums taken, then remembered', async () => {
    const sim = await quirkSim({ badChecksums: true });
    const bmc = client(sim);
    expect(await bmc.power('status')).toMatchObject({ power: 'on' });
    expect(bmc.learned.ignoreChecksums).toBe(true);
    expect((await bmc.sensors({ type: 'temperature' })).length).toBeGreaterThan(1);
    await failure(client(sim, { without: ['no-checksum-check'], retries: 0, timeoutMs: 300 }).power('status'));
  });

  // Without: the BMC's unsigned answers after Activate Session are refused as forged.
  it('v15-per-message-auth-off: an IPMI 1.5 session goes unsigned as the BMC declared', async () => {
    const sim = await quirkSim({ v15NoPerMessageAuth: true });
    const bmc = client(sim, { lan15: true });
    expect(await bmc.power('status')).toMatchObject({ power: 'on' });
    expect(bmc.security).toContain('1.5');
    await failure(client(sim, { lan15: true, without: ['v15-per-message-auth-off'] }).power('status'));
  });

  it('a password over 20 bytes is refused before anything is sent, naming Redfish', async () => {
    const sim = await quirkSim({});
    const before = sim.engine.counters.packetsIn;
    let e: unknown;
    try {
      client(sim, { password: 'p'.repeat(21) });
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(IpmiPasswordTooLongError);
    expect(String(e)).toMatch(/21 bytes.*at most 20.*Redfish/s);
    expect(String(e)).not.toContain('p'.repeat(21));
    // 20 bytes in UTF-8 is the limit, not 20 characters.
    expect(() => client(sim, { password: 'é'.repeat(11) })).toThrow(IpmiPasswordTooLongError);
    expect(() => client(sim, { lan15: true, password: 'p'.repeat(17) })).toThrow(/at most 16/);
    await sleep(20);
    expect(sim.engine.counters.packetsIn).toBe(before);
  });
});
