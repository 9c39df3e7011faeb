"""A Sparkplug B edge node made with pysparkplug (an implementation no one at Meterline wrote),
driven by the edge e2e test: one JSON command per line on stdin, one JSON event per line on stdout.

Commands:
  {"cmd": "connect"}                        NBIRTH and DBIRTH (a new bdSeq each time)
  {"cmd": "data", "value": v, "ts": ms}     DDATA of energy_kwh by name, with the next seq
  {"cmd": "alias", "value": v, "ts": ms}    DDATA of energy_kwh by its alias alone, next seq
  {"cmd": "skip", "count": n}               n seq values left out: the next message is out of order
  {"cmd": "rebirth"}                        disconnect (an NDEATH of a stale bdSeq) and connect again

An NCMD "Node Control/Rebirth" is reported as {"event": "rebirth-requested"}; the test answers it
with "rebirth" (pysparkplug publishes nothing when reconnecting from inside its callback).
"""

import json
import logging
import sys
import threading

import pysparkplug as psp

host, port, group, node, device, password = sys.argv[1:7]
first_kwh = float(sys.argv[7])

out_lock = threading.Lock()
# The MQTT client's packet log, shown by the test when a command does not finish.
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(asctime)s %(threadName)s %(message)s")


def emit(event, **fields):
    with out_lock:
        print(json.dumps({"event": event, **fields}), flush=True)


def on_node_command(_node, message):
    for metric in message.payload.metrics:
        if metric.name == "Node Control/Rebirth" and metric.value:
            emit("rebirth-requested")


def energy(value, ts, by_alias=False):
    return psp.Metric(
        timestamp=ts,
        name=None if by_alias else "energy_kwh",
        alias=1,
        datatype=psp.DataType.DOUBLE,
        value=value,
    )


# temperature_c is born and reported but mapped to no metering point: it is dead-lettered.
meter = psp.Device(
    device,
    metrics=(
        energy(first_kwh, psp.get_current_timestamp()),
        psp.Metric(timestamp=psp.get_current_timestamp(), name="temperature_c", alias=2, datatype=psp.DataType.FLOAT, value=21.5),
    ),
)
client = psp.Client(client_id=node, username=node, password=password)
edge = psp.EdgeNode(group, node, metrics=(), client=client, cmd_callback=on_node_command)
edge.register(meter)
# connect() sets the bdSeq metric of the Will first; the client's thread sends the births with it
# once CONNACK arrives and then sets the next session's. Recorded here to know when the births
# are out (the CONNACK may come before connect() returns).
wills = []
setup_will = edge._setup_will


def recording_setup_will():
    setup_will()
    wills.append(edge._bd_seq_metric)


edge._setup_will = recording_setup_will


def connect():
    before = len(wills)
    edge.connect(host, port=int(port), blocking=False)
    while len(wills) < before + 2:
        threading.Event().wait(0.05)
    emit("born", bdSeq=wills[before].value)


def next_seq():
    return edge._seq


for line in sys.stdin:
    command = json.loads(line)
    cmd = command["cmd"]
    if cmd == "connect":
        connect()
    elif cmd in ("data", "alias"):
        topic = psp.Topic(message_type=psp.MessageType.DDATA, group_id=group, edge_node_id=node, device_id=device)
        payload = psp.DData(timestamp=command["ts"], seq=next_seq(), metrics=(energy(command["value"], command["ts"], cmd == "alias"),))
        client.publish(psp.Message(topic=topic, payload=payload, qos=psp.QoS.AT_LEAST_ONCE, retain=False), include_dtypes=cmd == "data")
    elif cmd == "skip":
        for _ in range(command["count"]):
            next_seq()
    elif cmd == "rebirth":
        edge.disconnect()
        connect()
    emit("done", cmd=cmd)
