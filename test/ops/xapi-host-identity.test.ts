/** xapiHostChanged: XAPI's host of a name must still be the machine the binding was read with. */
import { describe, expect, it } from 'vitest';
import { xapiHostChanged } from '../../lib/ops/binding.ts';

const A = { uuid: 'aaaa-1', serial: 'CZJ2041A1', boardSerial: 'BRD7731A' };
const B = { uuid: 'bbbb-2', serial: 'CZJ2041B2', boardSerial: 'BRD7731B' };

describe('xapiHostChanged', () => {
  it('says nothing while the name still belongs to the bound machine (by uuid)', () => {
    expect(xapiHostChanged('h3', A, [{ hostId: 'h3', ...A }, { hostId: 'h6', ...B }])).toBeUndefined();
  });

  it('names both machines when another one carries the name, and where the bound one went', () => {
    const why = xapiHostChanged('h3', A, [{ hostId: 'h3-old', ...A }, { hostId: 'h3', ...B }]);
    expect(why).toMatch(/XAPI's host named h3 is another machine \(uuid bbbb-2\) than the one it was bound as \(uuid aaaa-1\); the machine it was bound as is now called h3-old/);
  });

  it('a name XAPI no longer knows is refused too', () => {
    expect(xapiHostChanged('h3', A, [{ hostId: 'h3-old', ...A }])).toMatch(/XAPI knows no host named h3 any more; the machine it was bound as is now called h3-old/);
    expect(xapiHostChanged('h3', A, [])).toMatch(/XAPI knows no host named h3 any more$/);
  });

  it('a binding from before uuids were kept is checked by its usable serials', () => {
    const old = { serial: 'CZJ2041A1', boardSerial: 'BRD7731A' };
    expect(xapiHostChanged('h3', old, [{ hostId: 'h3', uuid: 'x', serial: ' czj2041a1 ', boardSerial: 'BRD7731A' }])).toBeUndefined();
    expect(xapiHostChanged('h3', old, [{ hostId: 'h3', ...B }])).toMatch(/another machine \(serials system 'CZJ2041B2', board 'BRD7731B'\) than the one it was bound as \(serials system 'CZJ2041A1', board 'BRD7731A'\)/);
    // One serial agreeing and the other differing is not the same machine.
    expect(xapiHostChanged('h3', old, [{ hostId: 'h3', uuid: 'x', serial: 'CZJ2041A1', boardSerial: 'BRD7731B' }])).toBeDefined();
  });

  it('nothing to compare (no uuid, no usable serial): says nothing', () => {
    expect(xapiHostChanged('h3', {}, [{ hostId: 'h3', ...B }])).toBeUndefined();
    expect(xapiHostChanged('h3', { serial: 'To Be Filled By O.E.M.' }, [{ hostId: 'h3', ...B }])).toBeUndefined();
  });
});
