"""Design challenge: IoT sensor readings as a time series."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final

from ddb_lab.interview.challenges import Challenge
from ddb_lab.modeling import AccessPattern, Data, Load, Record

BRIEF: Final = """
**Design the storage of a building-sensor platform.** Devices at several sites report a reading every few
seconds; dashboards show each device's latest reading and charts of a time range.

Records: `Device(device_id, site_id, model, installed_at)`, `Reading(device_id, ts, temperature, humidity)` —
`ts` is an ISO timestamp, one reading per device and timestamp.

Access patterns:

| function | given | returns |
|---|---|---|
| `device` | `device_id` | the device (at most 1 read unit) |
| `latest_reading` | `device_id` | the device's newest reading (at most 0.5 read units) |
| `readings_between` | `device_id`, `start`, `end` | the device's readings with `start <= ts < end`, oldest first |
| `site_devices` | `site_id` | the site's devices |

Load: 12,000 readings per second over all devices (about 500 per device); three sites.
"""

_START: Final = datetime(2025, 7, 1, tzinfo=UTC)


def iot_data(seed: int = 3) -> Data:
    rng = random.Random(seed)
    devices = [
        {
            "device_id": f"d{n:03d}",
            "site_id": f"s{1 + (n - 1) % 3}",
            "model": rng.choice(["TH-1", "TH-2"]),
            "installed_at": "2025-01-15",
        }
        for n in range(1, 25)
    ]
    readings = []
    for device in devices:
        for hour in range(36):
            stamp = _START + timedelta(hours=hour, seconds=rng.randrange(0, 3_600))
            readings.append(
                {
                    "device_id": device["device_id"],
                    "ts": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "temperature": Decimal(rng.randrange(150, 300)) / 10,
                    "humidity": rng.randrange(30, 70),
                }
            )
    return Data(
        {"Device": devices, "Reading": readings},
        {"Device": ("device_id",), "Reading": ("device_id", "ts")},
    )


def _latest(data: Data, device_id: str) -> list[Record]:
    return data.where("Reading", device_id=device_id, order_by="ts", reverse=True)[:1]


def _between(data: Data, device_id: str, start: str, end: str) -> list[Record]:
    return [
        r
        for r in data.where("Reading", device_id=device_id, order_by="ts")
        if start <= r["ts"] < end
    ]


PATTERNS: Final = (
    AccessPattern(
        "device",
        "A device",
        cases=[{"device_id": "d005"}],
        expected=lambda data, device_id: data.where("Device", device_id=device_id),
        max_read_units=1,
    ),
    AccessPattern(
        "latest_reading",
        "A device's newest reading",
        cases=[{"device_id": "d005"}, {"device_id": "d024"}],
        expected=_latest,
        max_read_units=0.5,
    ),
    AccessPattern(
        "readings_between",
        "A device's readings in a time range, oldest first",
        cases=[
            {"device_id": "d005", "start": "2025-07-01T06:00:00Z", "end": "2025-07-01T18:00:00Z"},
            {"device_id": "d011", "start": "2025-07-01T20:00:00Z", "end": "2025-07-02T09:30:00Z"},
        ],
        expected=_between,
        ordered=True,
    ),
    AccessPattern(
        "site_devices",
        "A site's devices",
        cases=[{"site_id": "s2"}],
        expected=lambda data, site_id: data.where("Device", site_id=site_id),
    ),
)

CHALLENGE: Final = Challenge(
    id="iot",
    title="IoT sensor readings: a time series per device",
    brief=BRIEF.strip(),
    data=iot_data,
    patterns=PATTERNS,
    loads=(Load("Reading", 12_000, description="12,000 readings/s over all devices"),),
    chapters=(2, 5),
)
