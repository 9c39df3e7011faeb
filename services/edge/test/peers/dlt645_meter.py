"""A DL/T 645-2007 meter over TCP for the edge agent's tests: dlt645's simulator (not our code).

Usage: python dlt645_meter.py <port> <address>. Prints "READY <port>" once listening.

The address is the 12 digits printed on the meter; the simulator stores the bytes it is given,
so they are handed over in wire order, lowest digits first. Every 50 ms the forward active
energy (00010000H) moves on by 0.01 kWh from 1234.56; the reverse one (00020000H) stays 7.5.
"""

import sys
import threading
import time

from dlt645.service.serversvc.server_service import MeterServerService

FORWARD_ACTIVE_TOTAL = 0x00010000
REVERSE_ACTIVE_TOTAL = 0x00020000


def main(port: int, address: str) -> None:
    server = MeterServerService.new_tcp_server("127.0.0.1", port, 5.0)
    server.set_address(bytes.fromhex(address)[::-1])
    server.set_00(FORWARD_ACTIVE_TOTAL, 1234.56)
    server.set_00(REVERSE_ACTIVE_TOTAL, 7.5)
    if not server.start():
        raise SystemExit(f"could not listen on {port}")
    print(f"READY {port}", flush=True)
    cents = 123456
    while True:
        time.sleep(0.05)
        cents += 1
        server.set_00(FORWARD_ACTIVE_TOTAL, cents / 100)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
