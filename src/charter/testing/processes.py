"""Run the ``charter`` command in a subprocess with a clean environment, for CLI tests."""

import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

CHARTER = str(Path(sys.executable).with_name("charter"))
# Generous: these bound waits for slow machines, they are never asserted on.
TIMEOUT = 60


def charter_env(var_dir: Path, **overrides: str | None) -> dict[str, str]:
    """Production-like settings in ``var_dir`` (SQLite), English output, nothing inherited.

    An override of None removes that variable.
    """
    env: dict[str, str | None] = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        "CHARTER_VAR_DIR": str(var_dir),
        "CHARTER_SECRET_KEY": secrets.token_urlsafe(50),
        "CHARTER_HTTPS": "false",
        "CHARTER_LANGUAGE": "en",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run_charter(
    *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (the charter command itself)
        [CHARTER, *args], env=env, input=stdin, capture_output=True, text=True, timeout=TIMEOUT
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Running:
    """A background ``charter`` process whose merged output is collected line by line."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (the charter command itself)
            [CHARTER, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str) -> None:
        """Read output until ``text`` appears; fail with the output so far if it never does."""
        deadline = time.monotonic() + TIMEOUT
        while text not in self.output:
            try:
                line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                self._queue.put(None)  # later readers see the end of output too
                raise AssertionError(f"{text!r} never appeared in:\n{self.output}")
            self.lines.append(line)

    def finish(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig``; the exit code once the process and every holder of its output ended."""
        self.process.send_signal(sig)
        code = self.process.wait(timeout=TIMEOUT)
        self.wait_for_end_of_output()
        return code

    def wait_for_end_of_output(self) -> None:
        # The pipe closes only when every process writing to it (children too) has exited.
        while (line := self._queue.get(timeout=TIMEOUT)) is not None:
            self.lines.append(line)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def wait_for_http(url: str) -> bytes:
    """The body of ``url`` once the server answers 200."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local test URL)
                return bytes(response.read())
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
