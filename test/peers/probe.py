#!/usr/bin/python3
"""Waits until a BMC on 127.0.0.1:PORT answers IPMI, so a start script returns only when the peer
can take a session (the process being alive is not enough: the socket may not be served yet).

It sends a sessionless Get Channel Authentication Capabilities (IPMI v1.5 framing, channel 0x0e =
this channel, v2.0 data requested), which both ipmi_sim and pyghmi's server answer without a user,
and retries every 100 ms. Loopback only; no credentials involved.

Usage: probe.py PORT PID SECONDS
Exit: 0 answered, 1 the process PID died first, 2 no answer within SECONDS.
"""
import os
import socket
import sys
import time


def checksum(data):
    return (-sum(data)) & 0xff


def auth_capabilities_request(seq):
    # IPMI message: responder 0x20 (BMC), netFn App (0x06) LUN 0, requester 0x81 (remote console)
    head = [0x20, 0x06 << 2]
    body = [0x81, (seq & 0x3f) << 2, 0x38, 0x8e, 0x04]  # cmd 0x38, v2.0 bit | channel 0x0e, ADMIN
    message = head + [checksum(head)] + body + [checksum(body)]
    rmcp = [0x06, 0x00, 0xff, 0x07]  # RMCP v1.0, no ack, class IPMI
    session = [0x00] + [0] * 4 + [0] * 4 + [len(message)]  # auth type none, seq 0, session 0
    return bytes(rmcp + session + message)


def answered(reply):
    # RMCP class IPMI, and the command byte 0x38 echoed with completion code 0 somewhere after it
    return len(reply) > 20 and reply[0] == 0x06 and reply[3] == 0x07 and b'\x38\x00' in reply[14:]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by a parent that outlived it) counts as dead.
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return True


def main():
    port, pid, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    deadline = time.monotonic() + seconds
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.1)
    seq = 0
    while time.monotonic() < deadline:
        if not alive(pid):
            return 1
        seq += 1
        try:
            sock.sendto(auth_capabilities_request(seq), ('127.0.0.1', port))
            reply, _ = sock.recvfrom(512)
            if answered(reply):
                return 0
        except (socket.timeout, ConnectionRefusedError):
            time.sleep(0.05)
    return 2


if __name__ == '__main__':
    sys.exit(main())
