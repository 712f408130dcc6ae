"""Counts the Redis round trips a benchmark's requests make: every command (or pipeline, or
script call) that redis-py writes to a connection is one. The intake benchmarks print it beside
their timings, since "no extra round trip per comment" is the claim each of them checks.

    from round_trips import ROUND_TRIPS      # importing installs the counter
    ROUND_TRIPS.reset(); ...; ROUND_TRIPS.count
"""

from __future__ import annotations

import redis.connection


class RoundTripCounter:
    def __init__(self) -> None:
        self.count = 0

    def reset(self) -> None:
        self.count = 0

    def tick(self) -> None:
        self.count += 1


ROUND_TRIPS = RoundTripCounter()
_send = redis.connection.AbstractConnection.send_packed_command


def _counted(self, command, check_health=True):
    ROUND_TRIPS.tick()
    return _send(self, command, check_health)


redis.connection.AbstractConnection.send_packed_command = _counted
