"""Splits a loopback capture of loadgen -> gateway -> simulator into the steps of each request.

Reads the pcap that bench/first_token_steps.sh writes (Ethernet frames of IPv4/TCP on `lo`) and
prints the median and 90th percentile of each step, in milliseconds: the gateway's steps (from a
packet it receives to the packet it sends because of it) and the simulator's.
"""

import statistics
import struct
import sys

ETHERNET_HEADER = 14


def packets(path):
    """(time, source port, destination port, payload prefix) of every packet that carries data."""
    with open(path, "rb") as capture:
        header = capture.read(24)
        nanoseconds = struct.unpack("<I", header[:4])[0] == 0xA1B23C4D
        scale = 1e-9 if nanoseconds else 1e-6
        while True:
            record = capture.read(16)
            if len(record) < 16:
                return
            seconds, fraction, included, _ = struct.unpack("<IIII", record)
            frame = capture.read(included)
            ip = frame[ETHERNET_HEADER:]
            ip_header = (ip[0] & 15) * 4
            total = struct.unpack(">H", ip[2:4])[0]
            tcp = ip[ip_header:]
            source, destination = struct.unpack(">HH", tcp[:4])
            tcp_header = (tcp[12] >> 4) * 4
            if total - ip_header - tcp_header <= 0:
                continue
            yield seconds + fraction * scale, source, destination, tcp[tcp_header : tcp_header + 40]


def requests(path, sim_port, gateway_port):
    """The time of each step's packet, per request, in the order they happen."""
    found = []
    current = None
    for time, source, destination, payload in packets(path):
        if destination == gateway_port and payload.startswith(b"POST /v1/chat"):
            current = {"request": time}
            found.append(current)
        elif current is None:
            continue
        elif destination == sim_port and payload.startswith(b"POST /api/chat/session") and "session" not in current:
            current["session"] = time
        elif source == sim_port and "session" in current and "session answer" not in current:
            current["session answer"] = time
        elif destination == sim_port and payload.startswith(b"POST") and "session answer" in current and "message" not in current:
            current["message"] = time
        elif source == sim_port and "message" in current and "headers" not in current:
            current["headers"] = time
        elif source == sim_port and "headers" in current and "frame" not in current:
            current["frame"] = time
        elif source == gateway_port and "frame" in current and "to client" not in current:
            current["to client"] = time
    return [request for request in found if "to client" in request]


STEPS = [
    ("request", "session", "gateway: request -> session POST"),
    ("session", "session answer", "simulator: session"),
    ("session answer", "message", "gateway: session answer -> completions POST"),
    ("message", "headers", "simulator: completions headers"),
    ("frame", "to client", "gateway: first frame -> client"),
    ("request", "to client", "client: request -> first frame (all of it)"),
]


def main():
    path, sim_port, gateway_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    complete = requests(path, sim_port, gateway_port)
    print(f"{len(complete)} requests")
    for start, end, name in STEPS:
        values = sorted((request[end] - request[start]) * 1000 for request in complete)
        p90 = values[int(len(values) * 0.9)]
        print(f"{name:48} median {statistics.median(values):7.3f} ms   p90 {p90:7.3f} ms")


if __name__ == "__main__":
    main()
