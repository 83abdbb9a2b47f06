"""Free loopback ports for the integration tests, below the kernel's ephemeral
range. A port the kernel hands out for bind(0) is in that range, and so is the
local port of every outgoing connection: a host that connects out a lot (five
shop hosts to etcd, to each other, to the trace receiver) can take the port a
test picked for a listener before the listener binds it ("Address already in
use"). Ports below the range are never given to outgoing connections."""
import random
import socket

_taken = set()


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port():
    low = min(_ephemeral_low(), 65536) - 1
    first = 20000 if low > 21000 else 1024
    for _ in range(1000):
        port = random.randint(first, low)
        if port in _taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise RuntimeError("no free loopback port below the ephemeral range")
