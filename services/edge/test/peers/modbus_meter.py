"""A Modbus TCP meter for the edge agent's tests: pymodbus's simulator (not our code).

Usage: python modbus_meter.py <port>. Prints "READY <port>" once listening.

Device id 1, one block of 16 registers answering function codes 3 and 4 alike. Every read moves
the meter on: tick = reads served so far, energy E = 1000.5 + 0.25 * tick kWh, written before
the registers are answered, in these encodings (so one read shows E in all of them):

  0-1    float32, high word first (ABCD)
  2-3    float32, low word first (CDAB)
  4-5    uint32, E * 100, high word first
  6-7    int32, -E * 100, low word first
  8-11   uint64, E * 1000, high word first
  12     uint16, tick
  13     int16, -tick
  14-15  float32 ABCD, power 3.5 kW (constant)
"""

import asyncio
import struct
import sys

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

BLOCK = 16
state = {"tick": 0}


def words(fmt: str, value) -> list[int]:
    raw = struct.pack(fmt, value)
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]


def registers(tick: int) -> list[int]:
    energy = 1000.5 + 0.25 * tick
    f_abcd = words(">f", energy)
    u32 = words(">I", round(energy * 100))
    i32 = words(">i", -round(energy * 100))
    return (
        f_abcd
        + f_abcd[::-1]
        + u32
        + i32[::-1]
        + words(">Q", round(energy * 1000))
        + words(">H", tick & 0xFFFF)
        + words(">h", -tick)
        + words(">f", 3.5)
    )


async def move_on(function_code, start_address, address, count, current_registers, set_values):
    state["tick"] += 1
    values = registers(state["tick"])
    for i, value in enumerate(values):
        at = i - start_address
        if 0 <= at < len(current_registers):
            current_registers[at] = value
    return None


async def main(port: int) -> None:
    device = SimDevice(id=1, simdata=[SimData(0, values=registers(0), datatype=DataType.REGISTERS)], action=move_on)
    server = ModbusTcpServer(device, address=("127.0.0.1", port))
    task = asyncio.create_task(server.serve_forever())
    while not server.transport:
        await asyncio.sleep(0.05)
    print(f"READY {port}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
