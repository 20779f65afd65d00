"""A persistent local testnet: anvil with its state on disk, blocks that come on their own, the test accounts
ape's config names.

`seqmarket chain` (and `make chain`) runs it in the foreground. anvil keeps the state (accounts, contracts,
blocks, receipts and logs) in one file, loaded at start and written at exit and every ``STATE_INTERVAL``
seconds, so a market deployed yesterday is still there after a restart, at the same block height.

Blocks: anvil mines each transaction at once (automine), and a ticker here mines an empty block whenever
none came for ``block_time`` seconds, so phases advance while nobody sends anything. anvil's own interval
mining (``--block-time``) is not used: it turns automine off, and ape then returns a placeholder receipt
before the transaction is mined (no revert check, no contract address for a deployment).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from seqmarket.chain.client import CHECKOUT, market_project
from seqmarket.errors import ChainUnavailable, PortInUse, StateInUse

#: Where `seqmarket chain` listens unless told otherwise (anvil's and most wallets' default).
DEFAULT_PORT = 8545
#: anvil's chain id; LotteryMarket accepts it as a local chain (no RANDAO limits).
CHAIN_ID = 31337
#: The state file, inside the checkout (`make clean` removes it with the rest of .cache/).
DEFAULT_STATE = CHECKOUT / ".cache" / "chain" / "state.json"
#: Seconds between anvil's periodic state dumps: a crash loses at most this much.
STATE_INTERVAL = 30
#: Seconds anvil gets to answer after start, and to write its state and exit when stopped.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class TestAccounts:
    """The funded accounts of a local chain, as ape derives them (ape-config.yaml, `test:`)."""

    mnemonic: str
    count: int
    hd_path: str
    balance_wei: int


@cache
def test_accounts_config() -> TestAccounts:
    """The checkout's test-account settings, wherever the command runs (ape's own config is the current
    folder's, which outside the checkout has 10 accounts instead of 40)."""
    config = market_project().config.get_config("test")
    return TestAccounts(
        str(config.mnemonic), int(config.number_of_accounts), str(config.hd_path), int(config.balance)
    )


@dataclass(frozen=True)
class Testnet:
    """How to run the local testnet: port, state file, seconds between idle blocks, accounts."""

    port: int = DEFAULT_PORT
    state: Path = DEFAULT_STATE
    block_time: float = 2.0
    host: str = "127.0.0.1"

    @property
    def rpc(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def lock(self) -> Path:
        """Held (flock) while a chain runs on the state file: a second chain on it is refused."""
        return self.state.with_name(self.state.name + ".lock")

    @property
    def log(self) -> Path:
        """anvil's own output (its account list, every request), beside the state file."""
        return self.state.with_name("anvil.log")

    def command(self, anvil: Path, accounts: TestAccounts) -> list[str]:
        """anvil's command line: ape's test accounts, this chain id, the state file kept up to date."""
        return [
            str(anvil),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--chain-id",
            str(CHAIN_ID),
            "--mnemonic",
            accounts.mnemonic,
            "--accounts",
            str(accounts.count),
            # anvil appends the account index to the path; ape's hd_path names the parent.
            "--derivation-path",
            accounts.hd_path.rstrip("/") + "/",
            "--balance",
            str(accounts.balance_wei // 10**18),
            "--state",
            str(self.state),
            "--state-interval",
            str(STATE_INTERVAL),
        ]


def anvil_binary() -> Path:
    """The anvil on PATH, else the one `make setup` links beside this Python (.venv/bin/anvil)."""
    found = shutil.which("anvil") or shutil.which("anvil", path=str(Path(sys.executable).parent))
    if found is None:
        raise ChainUnavailable("anvil is not installed: run `make setup` in the checkout")
    return Path(found)


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse, naming the port and the way out, if something listens on ``port`` already."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As anvil binds: a port whose last chain stopped a moment ago (connections in TIME_WAIT) is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise PortInUse(
                f"port {port} is taken (another chain, or another program, listens there): stop it, or "
                "start this chain on another port with --port"
            ) from err


#: Talks to the chain directly: a proxy from the environment has no business with a local chain.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def rpc_call(url: str, method: str, params: list[Any] | None = None, timeout: float = 2.0) -> Any:
    """One JSON-RPC call to ``url``; ChainUnavailable if nothing answers or the call fails."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with _DIRECT.open(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except (OSError, ValueError) as err:  # refused, timed out, not JSON
        raise ChainUnavailable(f"no chain answers at {url}") from err
    if "error" in answer:
        raise ChainUnavailable(f"{url} refused {method}: {answer['error'].get('message', answer['error'])}")
    return answer.get("result")


def block_number(url: str) -> int:
    return int(rpc_call(url, "eth_blockNumber"), 16)


class _Ticker(threading.Thread):
    """Mines an empty block whenever none came for ``interval`` seconds, until stopped."""

    def __init__(self, url: str, interval: float) -> None:
        super().__init__(name="seqmarket-chain-ticker", daemon=True)
        self.url = url
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        last = None
        while not self.stopped.wait(self.interval):
            with contextlib.suppress(ChainUnavailable):  # anvil stopping, or busy for a moment
                height = block_number(self.url)
                if height == last:
                    rpc_call(self.url, "evm_mine")
                    height += 1
                last = height


def _die_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM (anvil then saves its state) if this process dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_testnet(net: Testnet, on_ready: Callable[[int, bool], None], out: IO[str] | None = None) -> int:
    """Run anvil for ``net`` until it stops or this process is interrupted (SIGINT or SIGTERM, passed on
    to anvil, which writes its state and exits). ``on_ready(height, resumed)`` is called once the chain
    answers. Returns anvil's exit status."""
    accounts = test_accounts_config()
    command = net.command(anvil_binary(), accounts)
    with state_lock(net), net.log.open("a") as log:
        check_port_free(net.host, net.port)
        resumed = net.state.exists()
        # A session of its own: Ctrl-C at the terminal reaches this process only, which passes it on once
        # (a second SIGINT could stop anvil before it writes its state).
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent
        )
        stop = _forward_signals(process)
        try:
            _wait_until_answering(net, process)
            ticker = _Ticker(net.rpc, net.block_time)
            ticker.start()
            on_ready(block_number(net.rpc), resumed)
            while process.poll() is None and not stop.is_set():
                stop.wait(0.5)
            ticker.stopped.set()
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            try:
                return process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                return process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@contextlib.contextmanager
def state_lock(net: Testnet) -> Iterator[None]:
    """Hold ``net``'s state file for this process: StateInUse if another chain runs on it. Two anvils on one
    state file would each overwrite the other's saved chain (a second `make chain` on another port, say)."""
    net.state.parent.mkdir(parents=True, exist_ok=True)
    with net.lock.open("a") as held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            raise StateInUse(
                f"{net.state} is in use by another running chain: stop it, or give this one its own --state"
            ) from err
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


def _forward_signals(process: subprocess.Popen[bytes]) -> threading.Event:
    """SIGINT and SIGTERM to this process set the returned event (the caller then stops anvil)."""
    stop = threading.Event()

    def handle(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


def _wait_until_answering(net: Testnet, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ChainUnavailable(
                f"anvil exited at start ({_last_line(net.log)}); its output is in {net.log}"
            )
        try:
            block_number(net.rpc)
            return
        except ChainUnavailable:
            time.sleep(0.1)
    raise ChainUnavailable(f"anvil did not answer at {net.rpc} within {START_TIMEOUT:.0f} s (see {net.log})")


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"
