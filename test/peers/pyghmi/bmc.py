#!/usr/bin/python3
"""A test BMC built on pyghmi's server side (Debian package python3-pyghmi): a second IPMI
implementation nobody on this project wrote, with a chassis that only exists in memory.

What pyghmi's server gives: RMCP+ only (no IPMI 1.5), cipher suite 3 only, Get Device ID (its own
14-byte form), Get Chassis Status, Chassis Control, boot flags; anything else answers 0xC1.
What this adds: a power state and a boot device, and one log line per action on stdout, which the
start script sends to STATE_DIR/fake_bmc.log, where tests count them:
    power on | power off | power cycle | power reset | soft off | set bootdev <device>
The power state is also written to STATE_DIR/power (0/1) and read back at start.

Usage: bmc.py --port PORT --state STATE_DIR     (user: BMC_USER, password: BMC_PASSWORD in the
environment, default admin / password; the password stays out of the process list)
"""
import argparse
import os
import sys
import time

from pyghmi.ipmi import bmc


class TestBmc(bmc.Bmc):
    def __init__(self, users, port, state):
        super().__init__(users, port=port, address='127.0.0.1')
        self.state_file = os.path.join(state, 'power')
        self.on = self._read_power()
        self.boot = 'default'

    def _read_power(self):
        try:
            with open(self.state_file) as f:
                return f.read().strip() == '1'
        except OSError:
            return False

    def _power(self, on, what):
        self.note(what)
        self.on = on
        with open(self.state_file, 'w') as f:
            f.write('1\n' if on else '0\n')

    @staticmethod
    def note(what):
        print('%.3f %s' % (time.time(), what), flush=True)

    # pyghmi calls these for Get Chassis Status and Chassis Control.
    def get_power_state(self):
        return 'on' if self.on else 'off'

    def is_active(self):
        return self.on

    def power_on(self):
        self._power(True, 'power on')

    def power_off(self):
        self._power(False, 'power off')

    def power_cycle(self):
        # Off then on again at once: the host ends up on.
        self._power(True, 'power cycle')

    def power_reset(self):
        self.note('power reset')  # the power state does not change

    def power_shutdown(self):
        # The operating system is asked to shut down; here it always does, at once.
        self._power(False, 'soft off')

    # Boot flags (Get/Set System Boot Options, parameter 5).
    def get_boot_device(self):
        return self.boot

    def set_boot_device(self, bootdevice):
        self.note('set bootdev %s' % bootdevice)
        self.boot = bootdevice

    def cold_reset(self):
        self.note('mc reset cold (nothing to reset)')
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--state', required=True)
    args = parser.parse_args()
    users = {os.environ.get('BMC_USER', 'admin'): os.environ.get('BMC_PASSWORD', 'password')}
    server = TestBmc(users, args.port, args.state)
    TestBmc.note('listening on 127.0.0.1:%d' % args.port)
    server.listen()


if __name__ == '__main__':
    sys.exit(main())
