/** One fault's switch for one fault-matrix case: on, off, and what the fault did meanwhile. */
import type { LocalRunner } from './runner.ts';
import type { ChaosCase } from './chaos-cases.ts';
import type { CutCounts, CutWindow } from './chaos-invariants.ts';
import { cutCounts, onCount } from './chaos-probes.ts';

/** One fault's switch for one case: on, off, and what it did meanwhile. */
export class FaultSwitch {
  onAt?: number;
  offAt?: number;
  hits = 0;
  /** Requests the silent BMCs had swallowed when the fault went on (IPMI packets, Redfish requests). */
  private droppedBefore = 0;
  private foreignBefore?: CutCounts;
  private foreignOnsBefore = 0;
  /** Power-ons sent through the BMC while it answered as another machine (not a cut: no invariant, but worth a note). */
  foreignOns = 0;
  readonly windows: CutWindow[] = [];

  constructor(
    private readonly runner: LocalRunner,
    private readonly c: ChaosCase,
    private readonly log: (line: string) => void,
  ) {}

  get on(): boolean {
    return this.onAt !== undefined && this.offAt === undefined;
  }

  /** The host the fault is switched for (xapi-down: the whole pool). */
  private get host(): string | null {
    return this.c.fault === 'xapi-down' ? null : this.c.host;
  }

  switchOn(how: string): void {
    if (this.onAt !== undefined) return;
    const { fault } = this.c;
    const host = this.host;
    this.runner.faults.set(fault, true, host);
    this.onAt = Date.now();
    if (fault === 'bmc-foreign' && host) {
      this.foreignBefore = cutCounts(this.runner, host);
      this.foreignOnsBefore = onCount(this.runner, host);
    }
    if (fault === 'bmc-silent') this.droppedBefore = this.droppedNow();
    this.log(`chaos: ${fault} on${host ? ` for ${host}` : ''} (${how})`);
  }

  /** Hits so far (the worker kill is one-shot: a hit means it struck). */
  currentHits(): number {
    const { fault } = this.c;
    const host = this.host;
    if (fault === 'bmc-silent') return this.droppedNow() - this.droppedBefore;
    return this.runner.faults
      .list()
      .filter((f) => f.fault === fault && f.host === host)
      .reduce((a, f) => a + (f.hits ?? 0), 0);
  }

  switchOff(): void {
    if (!this.on) return;
    const { fault } = this.c;
    const host = this.host;
    this.hits = this.currentHits();
    this.runner.faults.set(fault, false, host);
    this.offAt = Date.now();
    if (fault === 'bmc-foreign' && host && this.foreignBefore) {
      this.windows.push({ host, why: 'its BMC answered as another machine (bmc-foreign)', before: this.foreignBefore, after: cutCounts(this.runner, host) });
      this.foreignOns = onCount(this.runner, host) - this.foreignOnsBefore;
    }
    this.log(`chaos: ${fault} off after ${this.offAt - (this.onAt ?? this.offAt)} ms, ${this.hits} hit(s)`);
  }

  private droppedNow(): number {
    return this.runner.fleet.bmcs.filter((x) => this.host === null || x.name === this.host).reduce((n, b) => n + b.dropped, 0);
  }
}
