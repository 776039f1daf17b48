"""OpenStack Ironic's Redfish library, sushy, against lowpower's simulated BMC.

Usage: sushy-client.py BASE_URL MODE   (password in $BMC_PASSWORD, user "admin")

MODE "session": session authentication; reads the system, thermal and power data, then waits for a
line on stdin (the test may switch a fault meanwhile), shuts the system down gracefully, waits for
Off, powers it on, waits for On, and logs out. MODE "fallback": sushy's default SessionOrBasicAuth,
reading the system. Every step prints one JSON line.
"""
import json
import os
import sys
import time
import warnings

import sushy
from sushy import auth

warnings.filterwarnings('ignore')  # urllib3's warning for verify=False on every request


def say(step, **fields):
    print(json.dumps({'step': step, **fields}), flush=True)


def wait_for(system, state, seconds=10):
    deadline = time.time() + seconds
    seen = []
    while time.time() < deadline:
        system.refresh()
        value = system.power_state.value if system.power_state else None
        if not seen or seen[-1] != value:
            seen.append(value)
        if system.power_state == state:
            return seen
        time.sleep(0.05)
    raise SystemExit('timed out waiting for %s; saw %s' % (state, seen))


def main():
    base_url, mode = sys.argv[1], sys.argv[2]
    password = os.environ['BMC_PASSWORD']
    if mode == 'fallback':
        root = sushy.Sushy(base_url, username='admin', password=password, verify=False)
        system = root.get_system()
        say('read', power=system.power_state.value, serial=system.serial_number)
        return
    session = auth.SessionAuth(username='admin', password=password)
    root = sushy.Sushy(base_url, verify=False, auth=session)
    say('login', session=session.get_session_resource_id(), redfish=root.redfish_version)
    system = root.get_system()
    chassis = system.chassis[0]
    thermal = chassis.thermal
    power = chassis.power
    say('read',
        power=system.power_state.value,
        serial=system.serial_number,
        uuid=system.uuid,
        manufacturer=system.manufacturer,
        resets=sorted(v.value for v in system.get_allowed_reset_system_values()),
        temperatures={t.name: [t.reading_celsius, t.upper_threshold_critical] for t in thermal.temperatures},
        fans={f.name: [f.reading, f.reading_units.value if f.reading_units else None] for f in thermal.fans},
        supply_watts=[p.last_power_output_watts for p in power.power_supplies],
        manager=root.get_manager().identity)
    sys.stdin.readline()
    system.reset_system(sushy.ResetType.GRACEFUL_SHUTDOWN)
    say('off', states=wait_for(system, sushy.PowerState.OFF))
    system.reset_system(sushy.ResetType.ON)
    say('on', states=wait_for(system, sushy.PowerState.ON), session=session.get_session_resource_id())
    session.close()
    say('closed')


if __name__ == '__main__':
    main()
