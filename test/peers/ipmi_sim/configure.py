#!/usr/bin/python3
"""Writes everything one ipmi_sim instance reads at start, into its state folder:

  lan.conf       the LAN channel (127.0.0.1:PORT), users, helper programs, emulator console on
                 127.0.0.1:PORT+1 (syntax: man 5 ipmi_lan)
  sim.emu        the BMC, its SEL with two preloaded events, five temperature sensors with their
                 Full Sensor Records (syntax: man 5 ipmi_sim_cmd)
  sensors/N      the raw reading of sensor N, polled by ipmi_sim every second (only when missing,
                 so a restart with KEEP_STATE=1 keeps what a test wrote)
  power          the chassis power state, 0 or 1 (only when missing)

Why one generator: the sensor table below is the single description of the peer's sensors (the
tests rely on these names, numbers, linearizations, thresholds and first readings); the SDR
bytes, the thresholds ipmi_sim enforces and the starting files all come from it.

Usage: configure.py STATE_DIR PORT
"""
import os
import sys
from collections import namedtuple

HELPERS = os.path.dirname(os.path.abspath(__file__))
BMC = 0x20  # IPMB slave address of the BMC

# Users: (id, enabled, name, password, max privilege). Id 1 is IPMI's anonymous user, kept off.
USERS = [
    (1, False, '', '', 'user'),
    (2, True, 'admin', 'password', 'admin'),
    (3, True, 'operator', 'oppass', 'operator'),
]

# value = (M * raw + B * 10^Bexp) * 10^Rexp, raw read as `fmt` (unsigned or twos).
# Thresholds and nominal are raw bytes, as they sit in the SDR; the comment gives degrees C.
Sensor = namedtuple('Sensor', 'num name entity instance m b b_exp r_exp fmt unc uc unr nominal initial')
SENSORS = [
    #      num name           entity inst  M   B  Bexp Rexp fmt       UNC   UC   UNR  nominal initial
    Sensor(1, 'CPU1 Temp',    0x03, 1,     1,  0,   0,  0, 'unsigned', 85,  95, 105,  45,  45),  # 85/95/105 C, 45 C
    Sensor(2, 'CPU2 Temp',    0x03, 2,     1,  0,   0,  0, 'unsigned', 85,  95, 105,  45,  48),  # 48 C
    Sensor(3, 'Inlet Temp',   0x37, 1,     5,  0,   0, -1, 'unsigned', 80,  90, 100,  50,  48),  # 0.5 C steps: 40/45/50 C, 24.0 C
    Sensor(4, 'System Temp',  0x07, 1,     1, -40,  0,  0, 'unsigned', 115, 125, 135, 65,  65),  # offset -40: 75/85/95 C, 25 C
    Sensor(5, 'PSU1 Temp',    0x0a, 1,     1,  0,   0,  0, 'twos',     70,  80,  90,  35,  35),  # signed: 70/80/90 C, 35 C
]

# SEL at start: CPU1 Temp, upper non-critical (85 C) going high, asserted then deasserted.
# (timestamp, direction, raw reading, raw threshold). The same bytes are decoded offline by
# test/ipmi/sel/event.test.ts and test/ipmi/commands/sel.test.ts; ipmi_sim stamps its own time
# on records it returns (ipmitool shows "Pre-Init"), so the timestamps are only placeholders.
SEL_EVENTS = [
    (0x66000000, 'assert', 80, 85),
    (0x66000010, 'deassert', 80, 85),
]

# Threshold event offsets (IPMI v2.0 table 42-2) the sensors may raise: the upper ones, both ways.
UPPER_EVENTS = range(6, 12)  # UNC low/high, UC low/high, UNR low/high


def twos(value, bits):
    return value & ((1 << bits) - 1)


def le16(value):
    return [value & 0xff, (value >> 8) & 0xff]


def full_sensor_record(s):
    """IPMI v2.0 section 43.1, table 43-1 (Full Sensor Record), header included."""
    m, b = twos(s.m, 10), twos(s.b, 10)
    name = s.name.encode('ascii')[:16]
    upper_mask = 0x38  # UNC, UC and UNR are readable (and settable)
    events = sum(1 << bit for bit in UPPER_EVENTS if bit % 2)  # the "going high" ones: 7, 9, 11
    analog = {'unsigned': 0, 'ones': 1, 'twos': 2}[s.fmt]
    key = [BMC, 0x00, s.num]
    body = (
        [s.entity, s.instance]
        + [0x7f]  # initialise scanning, events, thresholds, hysteresis, type; events and scanning on
        + [0x68]  # auto re-arm, hysteresis readable/settable, thresholds readable/settable
        + [0x01, 0x01]  # sensor type temperature, event/reading type threshold
        + le16(events)  # assertion events (no lower-threshold reading mask bits)
        + le16(events)  # deassertion events
        + [upper_mask, upper_mask]  # readable / settable thresholds
        + [analog << 6, 0x01, 0x00]  # units: analog format; degrees C; no modifier unit
        + [0x00]  # linear
        + [m & 0xff, (m >> 8) << 6]  # M, tolerance 0
        + [b & 0xff, (b >> 8) << 6, 0x00]  # B, accuracy 0
        + [(twos(s.r_exp, 4) << 4) | twos(s.b_exp, 4)]
        + [0x01, s.nominal, 0x00, 0x00]  # only the nominal reading is given
        + ([0xff, 0x00] if analog == 0 else [0x7f, 0x80])  # sensor max / min
        + [s.unr, s.uc, s.unc, 0x00, 0x00, 0x00]  # upper NR, C, NC; lower ones unused
        + [0x02, 0x02]  # positive / negative hysteresis
        + [0x00, 0x00, 0x00]  # reserved, reserved, OEM
        + [0xc0 | len(name)]  # id string: 8-bit ASCII
        + list(name)
    )
    record = key + body
    # Record id 0: ipmi_sim numbers the records as it adds them. SDR version 0x51, type 1.
    return [0x00, 0x00, 0x51, 0x01, len(record)] + record


def sel_event(when, direction, reading, threshold):
    """A system event record (type 0x02) without its record id, as ipmi_sim's sel_add wants it."""
    offset_unc_high = 0x07
    data1 = 0x50 | offset_unc_high  # byte 2 holds the reading, byte 3 the threshold
    event_dir = (0x80 if direction == 'deassert' else 0x00) | 0x01  # threshold event/reading type
    return [when & 0xff, (when >> 8) & 0xff, (when >> 16) & 0xff, when >> 24] + [
        BMC, 0x00,  # generator: the BMC, LUN 0
        0x04,  # event message format of IPMI 1.5 and later
        0x01, 1,  # temperature, sensor 1
        event_dir, data1, reading, threshold,
    ]


def hexes(values):
    return ' '.join('0x%02x' % v for v in values)


def bits(offsets):
    """ipmi_sim's event masks: 15 characters, highest offset first."""
    return ''.join('1' if n in offsets else '0' for n in range(14, -1, -1))


def guid_for(port):
    """A different GUID per instance, as real BMCs have: the port, then "lowpower", as an RFC 4122
    version 4 GUID. ipmi_sim sends the bytes as written here; IPMI's encoding is the canonical form
    byte-reversed, so the canonical form is built first (ipmitool mc guid refuses a GUID whose
    version field is not a known one)."""
    canonical = '%08x' % port + '6c6f' + '4770' + '8f77' + '657200000000'  # version 4, variant 10xx
    return bytes(reversed(bytes.fromhex(canonical))).hex()


def lan_conf(state, port):
    chassis = '/bin/sh %s/chassis-control.sh %s' % (HELPERS, state)
    lan = '/bin/sh %s/lan-config.sh %s' % (HELPERS, state)
    lines = [
        '# Written by test/peers/ipmi_sim/configure.py for this instance; see man 5 ipmi_lan.',
        'name "lowpower-peer-%d"' % port,
        'set_working_mc 0x%02x' % BMC,
        '',
        'startlan 1',
        '  addr 127.0.0.1 %d' % port,
        '  priv_limit admin',
        '  allowed_auths_callback md5',
        '  allowed_auths_user md5 straight',
        '  allowed_auths_operator md5 straight',
        '  allowed_auths_admin md5 straight',
        '  guid %s' % guid_for(port),
        '  lan_config_program "%s"' % lan,
        'endlan',
        '',
        'chassis_control "%s"' % chassis,
        'console 127.0.0.1 %d' % (port + 1),
        '',
    ]
    for uid, enabled, name, password, priv in USERS:
        lines.append('user %d %s "%s" "%s" %s 10 md5' % (uid, 'true' if enabled else 'false', name, password, priv))
    return '\n'.join(lines) + '\n'


def current_raw(state, s):
    try:
        with open(os.path.join(state, 'sensors', str(s.num))) as f:
            return int(f.read().strip(), 0) & 0xff
    except (OSError, ValueError):
        return s.initial


def sim_emu(state):
    out = [
        '# Written by test/peers/ipmi_sim/configure.py; see man 5 ipmi_sim_cmd.',
        'mc_setbmc 0x%02x' % BMC,
        # device id 0x20, rev 1, firmware 2.17 (minor is BCD), chassis|bridge|event gen/recv|FRU|SEL|SDR|sensor,
        # manufacturer 0x00a2b1 (41649), product 0x0623
        'mc_add 0x%02x 0x20 no-device-sdrs 0x01 0x02 0x17 0x9f 0x00a2b1 0x0623' % BMC,
        'sel_enable 0x%02x 1000 0x0a' % BMC,  # room for 1000 records; delete and reserve supported
    ]
    for s in SENSORS:
        path = os.path.join(state, 'sensors', str(s.num))
        upper = set(UPPER_EVENTS)
        out += [
            '',
            '# %s' % s.name,
            'sensor_add 0x%02x 0 %d 0x01 0x01 poll 1000 file "%s"' % (BMC, s.num, path),
            'sensor_set_value 0x%02x 0 %d %d 0' % (BMC, s.num, current_raw(state, s)),
            'sensor_set_threshold 0x%02x 0 %d settable 111000 %s' % (BMC, s.num, hexes([s.unr, s.uc, s.unc, 0, 0, 0])),
            'sensor_set_event_support 0x%02x 0 %d enable scanning per-state %s'
            % (BMC, s.num, ' '.join([bits(upper)] * 4)),
            'main_sdr_add 0x%02x %s' % (BMC, hexes(full_sensor_record(s))),
        ]
    out.append('')
    for event in SEL_EVENTS:
        out.append('sel_add 0x%02x 0x02 %s' % (BMC, hexes(sel_event(*event))))
    out += ['', 'mc_enable 0x%02x' % BMC]
    return '\n'.join(out) + '\n'


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def main():
    state, port = os.path.abspath(sys.argv[1]), int(sys.argv[2])
    os.makedirs(os.path.join(state, 'sensors'), exist_ok=True)
    os.makedirs(os.path.join(state, 'persist'), exist_ok=True)
    for s in SENSORS:
        path = os.path.join(state, 'sensors', str(s.num))
        if not os.path.exists(path):
            write(path, '%d\n' % s.initial)
    if not os.path.exists(os.path.join(state, 'power')):
        write(os.path.join(state, 'power'), '0\n')
    write(os.path.join(state, 'lan.conf'), lan_conf(state, port))
    write(os.path.join(state, 'sim.emu'), sim_emu(state))


if __name__ == '__main__':
    main()
