"""Running the operator service as its own process against a private anvil, with faults injected.

* ``Anvil``: an anvil on a free loopback port (the testnet's accounts and chain id), stopped at the end.
* ``RpcProxy``: a TCP proxy on loopback in front of it, which a test stops (every connection cut, the port
  closed) and starts again: an RPC outage the service must ride out while the chain keeps its state.
* ``OperatorProcess``: `seqmarket operator` in a subprocess, its log lines collected; SIGKILLed at a chosen
  point through SEQMARKET_OPERATOR_CRASH.
* ``Pacer``: mines one block every ``interval`` seconds (raw JSON-RPC, so it never shares ape's connection
  with the test), only while told to and while the operators it watches are alive: a restart never costs a
  deadline that was reachable.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from seqmarket.chain.testnet import Testnet, anvil_binary, block_number, rpc_call, test_accounts_config

SEQMARKET = str(Path(sys.executable).parent / "seqmarket")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Anvil:
    """A private anvil (automine, no idle blocks), its state in a temporary folder."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="seqmarket-operator-")
        self.net = Testnet(port=free_port(), state=Path(self.folder.name) / "state.json")
        command = self.net.command(anvil_binary(), test_accounts_config())
        log = open(Path(self.folder.name) / "anvil.log", "w")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                block_number(self.url)
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return self.net.rpc

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.folder.cleanup()


class RpcProxy:
    """A loopback TCP proxy to ``target_port`` (tcp_proxy.py, in its own process) that can be stopped (every
    connection cut, the port closed: clients get 'connection refused') and started again on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        script = Path(__file__).with_name("tcp_proxy.py")
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(self.port), str(self.target_port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class OperatorProcess:
    """`seqmarket operator` in a subprocess; ``lines`` collects its log (stdout), ``errors`` its stderr."""

    rpc: str
    market: str
    account: int
    state: Path
    extra: tuple[str, ...] = ()
    crash: str = ""
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    process: subprocess.Popen[str] | None = None
    _mark: int = 0

    def start(self) -> OperatorProcess:
        self._mark = len(self.lines)  # lines before this start (a restarted operator keeps its old log)
        env = dict(os.environ)
        env.pop("SEQMARKET_OPERATOR_CRASH", None)
        if self.crash:
            env["SEQMARKET_OPERATOR_CRASH"] = self.crash
        command = [
            SEQMARKET,
            "operator",
            "--rpc",
            self.rpc,
            "--market",
            self.market,
            "--account",
            str(self.account),
            "--state",
            str(self.state),
            "--poll",
            "0.03",
            *self.extra,
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, bufsize=1
        )
        for stream, sink in ((self.process.stdout, self.lines), (self.process.stderr, self.errors)):
            threading.Thread(target=_collect, args=(stream, sink), daemon=True).start()
        self.wait_for("event=start", 60, since=self._mark)
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_for(self, text: str, timeout: float, since: int = 0) -> str:
        """The first log line from line ``since`` on containing ``text`` (waiting for it); fails if the
        process exits first."""
        deadline = time.monotonic() + timeout
        seen = since
        while time.monotonic() < deadline:
            for line in self.lines[seen:]:
                if text in line:
                    return line
            seen = len(self.lines)
            if not self.alive:
                time.sleep(0.2)  # the last lines
                found = [line for line in self.lines[since:] if text in line]
                if found:
                    return found[0]
                raise AssertionError(f"operator exited ({self.returncode}) before {text!r}: {self.tail()}")
            time.sleep(0.02)
        raise AssertionError(f"no {text!r} within {timeout} s: {self.tail()}")

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self) -> str:
        return "\n".join(self.lines[-15:] + self.errors[-15:])

    def events(self, name: str) -> list[dict[str, str]]:
        """The key=value lines of ``event=name``, parsed (values unquoted)."""
        found = []
        for line in self.lines:
            fields = dict(part.split("=", 1) for part in line.split(" ") if "=" in part)
            if fields.get("event") == name:
                found.append({k: v.strip('"') for k, v in fields.items()})
        return found


def _collect(stream: object, sink: list[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        sink.append(line.rstrip("\n"))


class Pacer:
    """Mines a block every ``interval`` seconds while running and while every watched operator is alive."""

    def __init__(self, url: str, interval: float, watched: Callable[[], list[OperatorProcess]]) -> None:
        self.url = url
        self.interval = interval
        self.watched = watched
        self.running = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(self.interval):
            if self.running.is_set() and all(p.alive for p in self.watched()):
                with contextlib.suppress(Exception):
                    rpc_call(self.url, "evm_mine")

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        was = self.running.is_set()
        self.running.clear()
        time.sleep(self.interval)  # a mine in progress lands first
        try:
            yield
        finally:
            if was:
                self.running.set()

    def close(self) -> None:
        self._done.set()
        self._thread.join(5)


def height(url: str) -> int:
    return block_number(url)


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, context: Callable[[], str] = lambda: ""
) -> None:
    """Wait for ``condition``; fail naming ``what`` (and ``context()``, e.g. an operator's last lines)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.03)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{context()}")
