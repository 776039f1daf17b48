/**
 * The simulated BMC's System Event Log as Redfish shows it (LogService "SEL", LogEntry with
 * EntryType SEL): power on and off, refused soft-offs, power feed outages, NMIs and temperature
 * threshold crossings, each with its sensor type and Assert or Deassert. Bounded like a real SEL.
 */
import type { Clock } from '../ipmi/clock.ts';
import type { Health } from './sensors.ts';

/** LogEntry.SensorType values this log uses (the IPMI sensor types, by their Redfish names). */
export type LogSensorType = 'Temperature' | 'Power Unit' | 'System ACPI PowerState' | 'Critical Interrupt';

export interface LogEntry {
  id: number;
  /** Clock milliseconds. */
  created: number;
  message: string;
  severity: Health;
  sensorType: LogSensorType;
  sensorNumber?: number;
  entryCode: 'Assert' | 'Deassert';
}

export const LOG_CAPACITY = 512;

export class EventLog {
  private list: LogEntry[] = [];
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  /**
   * Record an entry, at `at` (Clock ms) when the event happened earlier than now: the machine
   * applies its transitions when next looked at. A full log takes no more (a SEL without overwrite).
   */
  add(e: Omit<LogEntry, 'id' | 'created'>, at = this.clock.now()): LogEntry | undefined {
    if (this.list.length >= LOG_CAPACITY) return undefined;
    const entry: LogEntry = { ...e, id: this.nextId++, created: at };
    this.list.push(entry);
    return entry;
  }

  entries(): readonly LogEntry[] {
    return this.list;
  }

  get(id: number): LogEntry | undefined {
    return this.list.find((e) => e.id === id);
  }

  clear(): void {
    this.list = [];
  }
}
