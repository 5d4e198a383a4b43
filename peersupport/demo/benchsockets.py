"""bench_conversations' client side: every person's open conversation page as one websocket
(the `websockets` library, in one asyncio loop), speaking what static/js/conversation.js speaks.

Each side sends its messages one at a time, as the page does (the next only after the server
said "sent"), about `interval` seconds apart (half to one and a half times it, at random),
starting at a random moment within the first interval so the sends spread out. Each message
carries a tag ("bench-<pairing>-<side>-<n>"), which the receiving page finds in the HTML the
server rendered for it: latency runs from just before the sender's frame leaves to the moment
the other page has it (both on this process's clock).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

TAG = re.compile(r"bench-(\d+)-([ab])-(\d+)")
CONNECTING_AT_ONCE = 50  # handshakes in flight at a time (each costs the server a session read)


@dataclass
class Person:
    pairing_id: int
    side: str  # "a" the survivor, "b" the supporter
    cookie: str


@dataclass
class Tally:
    expected: int = 0
    sent_at: dict[str, float] = field(default_factory=dict)
    received_at: dict[str, float] = field(default_factory=dict)  # by the other side, first time
    latencies_ms: list[float] = field(default_factory=list)
    duplicates: int = 0  # a message id a page had already been given
    refused: list[str] = field(default_factory=list)  # the server's "error" answers
    closed: dict[int, int] = field(default_factory=dict)  # close codes other than 1000
    first_send: float = 0.0
    last_receipt: float = 0.0


class _Page:
    def __init__(self, person: Person, url: str, origin: str, tally: Tally, pause: float):
        self.person = person
        self.url = url
        self.origin = origin
        self.tally = tally
        self.pause = pause
        self.socket = None
        self.seen: set[int] = set()
        self.answer: asyncio.Queue = asyncio.Queue()

    async def open(self, gate: asyncio.Semaphore) -> None:
        async with gate:
            self.socket = await connect(
                self.url,
                origin=self.origin,
                additional_headers={"Cookie": self.person.cookie},
                compression=None,
                ping_interval=None,  # daphne pings; the page's own pings are JSON ("ping")
                open_timeout=60,
                max_queue=None,
            )

    async def read(self) -> None:
        try:
            async for frame in self.socket:
                self._take(json.loads(frame), time.monotonic())
        except ConnectionClosed:
            pass
        finally:
            code = self.socket.close_code
            if code != 1000:
                self.tally.closed[code] = self.tally.closed.get(code, 0) + 1

    def _take(self, data: dict, now: float) -> None:
        kind = data.get("type")
        if kind in ("sent", "error"):
            self.answer.put_nowait(data)
        elif kind == "message":
            if data["id"] in self.seen:
                self.tally.duplicates += 1
                return
            self.seen.add(data["id"])
            found = TAG.search(data["html"])
            if found is None or found.group(2) == self.person.side:
                return  # this page's own message, shown back to it
            tag = found.group(0)
            self.tally.received_at[tag] = now
            self.tally.latencies_ms.append((now - self.tally.sent_at[tag]) * 1000)
            self.tally.last_receipt = max(self.tally.last_receipt, now)

    async def talk(self, count: int, start: asyncio.Event, ping_seconds: float) -> None:
        await start.wait()
        await asyncio.sleep(random.uniform(0, self.pause))  # noqa: S311 - spreading, not secrets
        last_ping = time.monotonic()
        for n in range(count):
            tag = f"bench-{self.person.pairing_id}-{self.person.side}-{n}"
            now = time.monotonic()
            if now - last_ping >= ping_seconds:
                await self.socket.send(json.dumps({"type": "ping"}))
                last_ping = now
            self.tally.first_send = self.tally.first_send or now
            self.tally.sent_at[tag] = now
            try:
                await self.socket.send(json.dumps({"type": "send", "text": f"Hello {n} {tag}"}))
                answer = await asyncio.wait_for(self.answer.get(), timeout=30)
            except (ConnectionClosed, TimeoutError):
                self.tally.refused.append("no answer")
                return
            if answer["type"] == "error":
                self.tally.refused.append(answer.get("message", ""))
            # People do not type in step: the pause is the interval, give or take a half.
            await asyncio.sleep(self.pause * random.uniform(0.5, 1.5))  # noqa: S311


async def run(
    people: list[Person],
    *,
    url_of,
    origin: str,
    messages: int,
    interval: float,
    timeout: float,
    ping_seconds: float,
    note,
) -> Tally:
    """Open every page, let each side send `messages`, wait up to `timeout` seconds after the
    last send for what is still on its way, close everything; the tally."""
    tally = Tally(expected=len(people) * messages)
    pages = [_Page(p, url_of(p.pairing_id), origin, tally, interval) for p in people]
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    opened_at = time.monotonic()
    await asyncio.gather(*(page.open(gate) for page in pages))
    note(f"opened {len(pages)} websockets in {time.monotonic() - opened_at:.1f}s")
    readers = [asyncio.create_task(page.read()) for page in pages]
    start = asyncio.Event()
    talkers = [asyncio.create_task(page.talk(messages, start, ping_seconds)) for page in pages]
    start.set()
    await asyncio.gather(*talkers)
    deadline = time.monotonic() + timeout
    while len(tally.received_at) < len(tally.sent_at) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.gather(*(page.socket.close() for page in pages), return_exceptions=True)
    await asyncio.gather(*readers, return_exceptions=True)
    return tally


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return round(cuts[min(len(cuts) - 1, int(share * 1000) - 1)], 1)
