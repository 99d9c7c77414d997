"""A local SMTP sink (aiosmtpd) that counts what it receives, for drills and the benchmark.

``SmtpSink`` runs in a thread of the calling process; ``stop()`` closes the port (so
clients get "connection refused") and ``start()`` opens it again on the same port.
``run_sink_process`` runs one in a process of its own, reporting counts through shared
memory, so a benchmark does not share the interpreter with its clients.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import threading
from collections import Counter

from aiosmtpd.controller import Controller

# aiosmtpd logs every command at INFO; a sink that counts thousands of messages should not.
logging.getLogger("mail.log").setLevel(logging.WARNING)

REMINDER_HEADER = re.compile(rb"^X-Steady-Reminder:\s*(\d+)\s*$", re.MULTILINE | re.IGNORECASE)


def free_port(start: int | None = None) -> int:
    """Return a TCP port nothing listens on (the first free one from ``start``, else any)."""
    for port in range(start, start + 200) if start else [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port from {start}")


class CountingHandler:
    """Accept every message; remember the X-Steady-Reminder id of each (0 when absent).

    A drill may make it misbehave: ``refuse(address, "550 No such user", times=n)`` answers
    that address's next ``n`` RCPT TO with the reply (every one when ``times`` is None; with
    ``hang_up=True`` the server then closes the connection instead of answering the client's
    RSET), and ``delay`` seconds pass before each reply to MAIL FROM, RCPT TO and the end of DATA.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: list[int] = []
        self.raw: list[bytes] = []
        self.keep_raw = False
        self.delay = 0.0
        self.refusals: dict[str, list] = {}

    def refuse(self, address: str, reply: str, *, times: int | None = None, hang_up: bool = False) -> None:
        with self.lock:
            self.refusals[address.lower()] = [reply, times, hang_up]

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        await asyncio.sleep(self.delay)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        await asyncio.sleep(self.delay)
        with self.lock:
            refusal = self.refusals.get(address.lower())
            if refusal is not None and refusal[1] != 0:
                if refusal[1] is not None:
                    refusal[1] -= 1
                session.hang_up = refusal[2]
                return refusal[0]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_RSET(self, server, session, envelope) -> str:
        if getattr(session, "hang_up", False):
            server.transport.close()
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.delay)
        content = envelope.original_content or envelope.content
        head = content.split(b"\r\n\r\n", 1)[0]
        found = REMINDER_HEADER.search(head)
        with self.lock:
            self.ids.append(int(found.group(1)) if found else 0)
            if self.keep_raw:
                self.raw.append(content)
        return "250 Message accepted"


class SmtpSink:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = CountingHandler()
        self.controller: Controller | None = None

    def start(self) -> SmtpSink:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def count(self) -> int:
        return len(self.handler.ids)

    def counts(self) -> Counter[int]:
        with self.handler.lock:
            return Counter(self.handler.ids)

    def duplicates(self) -> dict[int, int]:
        return {reminder: n for reminder, n in self.counts().items() if n > 1}

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_sink_process(port: int, counter, ready) -> None:  # pragma: no cover (runs in a child process)
    """Run a sink until killed, adding 1 to ``counter`` (a multiprocessing.Value) per message."""
    import asyncio

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            with counter.get_lock():
                counter.value += 1
            return "250 Message accepted"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    ready.set()
    asyncio.run(asyncio.Event().wait())
