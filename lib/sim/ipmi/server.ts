/**
 * A simulated BMC on a UDP port: the engine behind a socket, with faults applied on the way in
 * and out.
 */
import dgram from 'node:dgram';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import { seededRandom } from '../../util/index.ts';
import { ipLiteralLookup } from '../../ipmi/index.ts';
import { BmcState, type SimBmcOptions } from './bmc-state.ts';
import { BmcEngine } from './engine.ts';
import type { Faults } from './faults.ts';

export interface SimulatedBmcOptions extends SimBmcOptions {
  port: number;
  /** Loopback by default; the simulator never listens elsewhere unless told. */
  address?: string;
  seed?: number;
  faults?: Faults;
  clock?: Clock;
}

export class SimulatedBmc {
  readonly state: BmcState;
  readonly engine: BmcEngine;
  faults: Faults;
  private socket?: dgram.Socket;
  private readonly rng: () => number;
  private held?: { packet: Buffer; port: number; address: string };

  constructor(readonly o: SimulatedBmcOptions) {
    this.state = new BmcState(o, o.clock ?? systemClock);
    this.engine = new BmcEngine(this.state, o.sessionSlots ?? 8);
    this.faults = o.faults ?? {};
    this.rng = seededRandom(o.seed ?? o.port);
    this.engine.beforeCommand = () => this.beforeCommand();
  }

  get port(): number {
    return this.o.port;
  }

  get name(): string {
    return this.o.name;
  }

  /** Faults that act inside the BMC: busy answers and cancelled reservations. */
  private beforeCommand(): 'busy' | undefined {
    const f = this.faults;
    if (f.reservationCancel && this.rng() < f.reservationCancel) {
      this.state.sdrReservation = (this.state.sdrReservation % 0xffff) + 1;
      this.state.selReservation = (this.state.selReservation % 0xffff) + 1;
    }
    return f.busy && this.rng() < f.busy ? 'busy' : undefined;
  }

  async start(): Promise<void> {
    const s = dgram.createSocket({ type: 'udp4', lookup: ipLiteralLookup });
    s.on('message', (msg, from) => this.receive(msg, from.address, from.port));
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(this.o.port, this.o.address ?? '127.0.0.1', () => {
        s.off('error', reject);
        resolve();
      });
    });
    this.socket = s;
  }

  private receive(packet: Buffer, address: string, port: number): void {
    const f = this.faults;
    if (f.silent || (f.drop && this.rng() < f.drop)) return;
    for (const reply of this.engine.handle(packet, `${address}:${port}`)) this.send(reply, port, address);
  }

  private send(packet: Buffer, port: number, address: string): void {
    const f = this.faults;
    if (f.drop && this.rng() < f.drop) return;
    let out = packet;
    if (f.wrongHmac && packet.length > 20 && (packet[5] & 0x40) && this.rng() < f.wrongHmac) {
      out = Buffer.from(packet);
      out[out.length - 1] ^= 0x5a;
    }
    const copies = f.duplicate && this.rng() < f.duplicate ? 2 : 1;
    const emit = (): void => {
      for (let i = 0; i < copies; i++) this.socket?.send(out, port, address);
      if (this.held) {
        const h = this.held;
        this.held = undefined;
        this.socket?.send(h.packet, h.port, h.address);
      }
    };
    if (f.reorder && !this.held && this.rng() < f.reorder) {
      this.held = { packet: out, port, address };
      // Released behind the next answer, or after a moment if none comes.
      setTimeout(() => {
        if (this.held?.packet === out) {
          this.held = undefined;
          this.socket?.send(out, port, address);
        }
      }, 50).unref();
      return;
    }
    if (f.delayMs) setTimeout(emit, f.delayMs).unref();
    else emit();
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
