/**
 * The night's plan as a picture: on the left the hosts that go to sleep, each with the VMs it sends
 * away; on the right the hosts that stay on, each with its reason and its memory now and after;
 * a line from every moving VM to the host that takes it. The same facts are listed as text beside it.
 */
import { s } from './dom.ts';
import { gib } from './format.ts';
import type { Migration, PoolHost, SleepPlan } from './types.ts';

const W = 760;
const COL = 250;
const LEFT = 8;
const RIGHT = W - COL - 8;
const ROW = 18;
const HEAD = 26;
const GAP = 12;

export interface PlanLayout {
  left: Array<{ hostId: string; y: number; h: number; kind: 'sleeps' | 'off'; moves: Migration[] }>;
  right: Array<{ hostId: string; y: number; h: number; reason: string; usedBytes: number; incomingBytes: number; totalBytes: number }>;
  height: number;
}

/** Where each box goes. Pure, so the picture's geometry is tested without a browser. */
export function layoutPlan(plan: SleepPlan, hosts: PoolHost[]): PlanLayout {
  const byId = new Map(hosts.map((h) => [h.id, h]));
  const left: PlanLayout['left'] = [];
  let y = HEAD + 6;
  for (const id of plan.sleep) {
    const moves = plan.migrations.filter((m) => m.from === id).sort((a, b) => a.wave - b.wave);
    const h = HEAD + Math.max(1, moves.length) * ROW + 8;
    left.push({ hostId: id, y, h, kind: 'sleeps', moves });
    y += h + GAP;
  }
  const planned = new Set([...plan.sleep, ...plan.keep.map((k) => k.hostId)]);
  for (const host of hosts) {
    if (planned.has(host.id) || host.power === 'on') continue;
    left.push({ hostId: host.id, y, h: HEAD + 8, kind: 'off', moves: [] });
    y += HEAD + 8 + GAP;
  }
  const leftEnd = y;
  const right: PlanLayout['right'] = [];
  y = HEAD + 6;
  for (const k of plan.keep) {
    const host = byId.get(k.hostId);
    const totalBytes = host?.memoryTotalBytes ?? 0;
    const usedBytes = host ? host.memoryTotalBytes - host.memoryFreeBytes : 0;
    const incomingBytes = plan.migrations.filter((m) => m.to === k.hostId).reduce((a, m) => a + m.memoryBytes, 0);
    const h = HEAD + ROW + 34;
    right.push({ hostId: k.hostId, y, h, reason: k.reason, usedBytes, incomingBytes, totalBytes });
    y += h + GAP;
  }
  return { left, right, height: Math.max(leftEnd, y, 80) };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const pct = (part: number, whole: number): number => (whole > 0 ? Math.round((part / whole) * 100) : 0);

export function planPicture(plan: SleepPlan, hosts: PoolHost[]): SVGSVGElement {
  const L = layoutPlan(plan, hosts);
  const label = plan.sleep.length
    ? `Plan: ${plan.sleep.join(', ')} go to sleep; ${plan.migrations.length} VMs move to ${[...new Set(plan.migrations.map((m) => m.to))].join(', ')}; ${plan.keep.map((k) => k.hostId).join(', ')} stay on.`
    : `Plan: nothing sleeps. ${plan.why ?? ''}`;
  const svg = s('svg', { viewBox: `0 0 ${W} ${L.height}`, class: 'plan-picture', role: 'img', 'aria-label': label });
  svg.append(
    s('defs', {}, s('pattern', { id: 'incoming', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, s('rect', { width: 3, height: 6, class: 'hatch' }))),
    s('text', { x: LEFT, y: 16, class: 'col-title' }, `Sleeps tonight (${plan.sleep.length})`),
    s('text', { x: RIGHT, y: 16, class: 'col-title' }, `Stays on (${plan.keep.length})`),
  );
  const target = new Map(L.right.map((r) => [r.hostId, r]));
  const arrivals = new Map<string, number>();
  const lines = s('g', { class: 'moves' });
  for (const box of L.left) {
    const g = s('g', { class: `plan-host ${box.kind}` });
    g.append(
      s('rect', { x: LEFT, y: box.y, width: COL, height: box.h, rx: 6, class: 'box' }),
      s('text', { x: LEFT + 10, y: box.y + 18, class: 'host-name' }, `☾ ${box.hostId}`),
      s('text', { x: LEFT + COL - 10, y: box.y + 18, 'text-anchor': 'end', class: 'host-tag' }, box.kind === 'sleeps' ? 'sleeps' : 'already off'),
    );
    if (box.kind === 'sleeps' && box.moves.length === 0) g.append(s('text', { x: LEFT + 10, y: box.y + HEAD + 12, class: 'vm' }, 'empty: no VM to move'));
    box.moves.forEach((m, i) => {
      const ry = box.y + HEAD + i * ROW + 12;
      g.append(
        s('text', { x: LEFT + 10, y: ry, class: 'vm' }, `${m.vmId}  ${gib(m.memoryBytes)}`),
        s('text', { x: LEFT + COL - 10, y: ry, 'text-anchor': 'end', class: 'wave' }, `wave ${m.wave} → ${m.to}`),
      );
      const t = target.get(m.to);
      if (!t) return;
      const n = arrivals.get(m.to) ?? 0;
      arrivals.set(m.to, n + 1);
      const x1 = LEFT + COL;
      const y1 = ry - 4;
      const x2 = RIGHT;
      const y2 = t.y + 10 + ((n * 5) % Math.max(10, t.h - 20));
      const mid = (x1 + x2) / 2;
      lines.append(s('path', { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}`, class: `move wave-${((m.wave - 1) % 4) + 1}` }, s('title', {}, `${m.vmId} (${gib(m.memoryBytes)}) moves from ${m.from} to ${m.to} in wave ${m.wave}`)));
      lines.append(s('path', { d: `M${x2 - 6},${y2 - 3} L${x2},${y2} L${x2 - 6},${y2 + 3}`, class: 'arrow-head' }));
    });
    svg.append(g);
  }
  for (const box of L.right) {
    const after = box.usedBytes + box.incomingBytes;
    const barW = COL - 20;
    const used = box.totalBytes > 0 ? (box.usedBytes / box.totalBytes) * barW : 0;
    const inc = box.totalBytes > 0 ? (box.incomingBytes / box.totalBytes) * barW : 0;
    const by = box.y + HEAD + ROW + 2;
    svg.append(
      s(
        'g',
        { class: 'plan-host keeps' },
        s('rect', { x: RIGHT, y: box.y, width: COL, height: box.h, rx: 6, class: 'box' }),
        s('text', { x: RIGHT + 10, y: box.y + 18, class: 'host-name' }, `● ${box.hostId}`),
        s('text', { x: RIGHT + COL - 10, y: box.y + 18, 'text-anchor': 'end', class: 'host-tag' }, box.incomingBytes ? `+${gib(box.incomingBytes)}` : 'stays on'),
        s('text', { x: RIGHT + 10, y: box.y + HEAD + 10, class: 'reason' }, clip(box.reason, 40), s('title', {}, box.reason)),
        s('rect', { x: RIGHT + 10, y: by, width: barW, height: 10, rx: 2, class: 'mem-total' }),
        s('rect', { x: RIGHT + 10, y: by, width: used.toFixed(1), height: 10, class: 'mem-used' }),
        s('rect', { x: (RIGHT + 10 + used).toFixed(1), y: by, width: Math.min(inc, barW - used).toFixed(1), height: 10, class: 'mem-incoming', fill: 'url(#incoming)' }),
        s('text', { x: RIGHT + 10, y: by + 21, class: 'mem-text' }, `memory ${pct(box.usedBytes, box.totalBytes)}% → ${pct(after, box.totalBytes)}% of ${gib(box.totalBytes)}`),
      ),
    );
  }
  svg.append(lines);
  return svg;
}
