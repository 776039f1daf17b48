/** Sensor types (IPMI v2.0 table 42-3) and sensor unit type codes (table 43-15) that lowpower names. */

export const SENSOR_TYPES: Readonly<Record<number, string>> = {
  0x01: 'temperature',
  0x02: 'voltage',
  0x03: 'current',
  0x04: 'fan',
  0x05: 'physical security',
  0x06: 'platform security',
  0x07: 'processor',
  0x08: 'power supply',
  0x09: 'power unit',
  0x0a: 'cooling device',
  0x0b: 'other units',
  0x0c: 'memory',
  0x0d: 'drive slot',
  0x0e: 'post memory resize',
  0x0f: 'system firmware progress',
  0x10: 'event logging disabled',
  0x11: 'watchdog 1',
  0x12: 'system event',
  0x13: 'critical interrupt',
  0x14: 'button',
  0x15: 'module board',
  0x16: 'microcontroller',
  0x17: 'add-in card',
  0x18: 'chassis',
  0x19: 'chip set',
  0x1a: 'other fru',
  0x1b: 'cable',
  0x1c: 'terminator',
  0x1d: 'system boot',
  0x1e: 'boot error',
  0x1f: 'os boot',
  0x20: 'os stop',
  0x21: 'slot connector',
  0x22: 'system acpi power state',
  0x23: 'watchdog 2',
  0x24: 'platform alert',
  0x25: 'entity presence',
  0x26: 'monitor asic',
  0x27: 'lan',
  0x28: 'management subsystem health',
  0x29: 'battery',
  0x2a: 'session audit',
  0x2b: 'version change',
  0x2c: 'fru state',
};

export function sensorTypeName(code: number): string {
  if (code >= 0xc0) return 'oem';
  return SENSOR_TYPES[code] ?? `type 0x${code.toString(16).padStart(2, '0')}`;
}

/** A type name as compared: case, outer spaces, '-' and '_' do not count ("Power_Supply", "add-in card"). */
const typeNameKey = (name: string): string => name.trim().toLowerCase().replace(/[-_]/g, ' ');

/** The table turned around once: a sweep asks for "temperature" once per BMC. */
const CODE_BY_TYPE_NAME: ReadonlyMap<string, number> = new Map(Object.entries(SENSOR_TYPES).map(([code, n]) => [typeNameKey(n), Number(code)]));

/** Sensor type code for a name as a user types it ("temperature", "Fan", "power supply", "add-in card"). */
export function sensorTypeCode(name: string): number | undefined {
  return CODE_BY_TYPE_NAME.get(typeNameKey(name));
}

const UNITS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'degrees C',
  2: 'degrees F',
  3: 'degrees K',
  4: 'Volts',
  5: 'Amps',
  6: 'Watts',
  7: 'Joules',
  8: 'Coulombs',
  9: 'VA',
  10: 'Nits',
  11: 'lumen',
  12: 'lux',
  13: 'Candela',
  14: 'kPa',
  15: 'PSI',
  16: 'Newton',
  17: 'CFM',
  18: 'RPM',
  19: 'Hz',
  20: 'microsecond',
  21: 'millisecond',
  22: 'second',
  23: 'minute',
  24: 'hour',
  25: 'day',
  26: 'week',
  27: 'mil',
  28: 'inches',
  29: 'feet',
  30: 'cu in',
  31: 'cu feet',
  32: 'mm',
  33: 'cm',
  34: 'm',
  35: 'cu cm',
  36: 'cu m',
  37: 'liters',
  38: 'fluid ounce',
  39: 'radians',
  40: 'steradians',
  41: 'revolutions',
  42: 'cycles',
  43: 'gravities',
  44: 'ounce',
  45: 'pound',
  46: 'ft-lb',
  47: 'oz-in',
  48: 'gauss',
  49: 'gilberts',
  50: 'henry',
  51: 'millihenry',
  52: 'farad',
  53: 'microfarad',
  54: 'ohms',
  55: 'siemens',
  56: 'mole',
  57: 'becquerel',
  58: 'PPM',
  59: 'reserved',
  60: 'Decibels',
  61: 'DbA',
  62: 'DbC',
  63: 'gray',
  64: 'sievert',
  65: 'color temp deg K',
  66: 'bit',
  67: 'kilobit',
  68: 'megabit',
  69: 'gigabit',
  70: 'byte',
  71: 'kilobyte',
  72: 'megabyte',
  73: 'gigabyte',
  74: 'word',
  75: 'dword',
  76: 'qword',
  77: 'line',
  78: 'hit',
  79: 'miss',
  80: 'retry',
  81: 'reset',
  82: 'overflow',
  83: 'underrun',
  84: 'collision',
  85: 'packets',
  86: 'messages',
  87: 'characters',
  88: 'error',
  89: 'correctable error',
  90: 'uncorrectable error',
  91: 'fatal error',
  92: 'grams',
};

export function unitName(code: number): string {
  return UNITS[code] ?? `unit ${code}`;
}

/** Units of a full or compact record: base, optional "per" or "x" modifier, percentage. */
export function describeUnits(units1: number, base: number, modifier: number): string {
  const pct = (units1 & 0x01) !== 0;
  const modUse = (units1 >> 1) & 0x03;
  let text = unitName(base);
  if (modUse === 1 && modifier) text = `${text}/${unitName(modifier)}`;
  else if (modUse === 2 && modifier) text = `${text}*${unitName(modifier)}`;
  return pct ? `% ${text}` : text;
}
