import { describe, expect, it } from 'vitest';
import { defineCommand, noData, Privilege, privilegeName } from '../../../lib/ipmi/commands/command.ts';

describe('command helpers', () => {
  it('numbers privilege levels as table 6-2 does', () => {
    expect(Privilege).toEqual({ callback: 1, user: 2, operator: 3, administrator: 4, oem: 5, noAccess: 0x0f });
  });
  it('names privilege levels, and unknown ones by number', () => {
    expect([1, 2, 3, 4, 5, 15].map(privilegeName)).toEqual(['callback', 'user', 'operator', 'administrator', 'oem', 'no access']);
    expect(privilegeName(0)).toBe('0x0');
    expect(privilegeName(0x0a)).toBe('0xa');
  });
  it('noData is an empty request', () => {
    expect(noData()).toEqual(Buffer.alloc(0));
  });
  it('defineCommand returns the command unchanged', () => {
    const c = { name: 'X', netFn: 6, cmd: 1, encode: noData, decode: () => 1 };
    expect(defineCommand(c)).toBe(c);
  });
});
