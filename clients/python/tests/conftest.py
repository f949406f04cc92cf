"""The real healthscore-server, started once per test session on a free
loopback port with a fresh SQLite history.

HEALTHSCORE_BUILD_DIR names the build directory (default: the repository's
build/): its bin/healthscore-server, plugins/ and sample/ are used. The stubs
come from PYTHONPATH (run_tests.sh puts <build>/python there), or are
generated into a temporary directory when they are not importable.
"""

import os
import subprocess
import sys
import tempfile
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)                       # clients/python
REPO = os.path.dirname(os.path.dirname(PACKAGE_ROOT))      # the repository
BUILD = os.path.abspath(os.environ.get("HEALTHSCORE_BUILD_DIR") or os.path.join(REPO, "build"))
READY_TIMEOUT = 60  # seconds


def _ensure_stubs():
    if PACKAGE_ROOT not in sys.path:
        sys.path.insert(0, PACKAGE_ROOT)
    try:
        import healthscore.v1.health_scoring_pb2  # noqa: F401
        return
    except ImportError:
        pass
    import importlib

    out = tempfile.mkdtemp(prefix="hs-py-stubs-")
    import healthscore._generate as gen
    gen.generate(out, os.path.join(REPO, "proto"))
    sys.path.append(out)
    import healthscore
    healthscore.__path__.append(os.path.join(out, "healthscore"))
    importlib.invalidate_caches()


_ensure_stubs()


class Server:
    def __init__(self, workdir):
        self.workdir = workdir
        self.log = []
        binary = os.path.join(BUILD, "bin", "healthscore-server")
        if not os.access(binary, os.X_OK):
            pytest.exit("no server binary at %s (set HEALTHSCORE_BUILD_DIR)" % binary, returncode=2)
        self.proc = subprocess.Popen(
            [binary, "--listen=127.0.0.1:0", "--admin-listen=",
             "--store=sqlite:" + os.path.join(workdir, "h.db"), "--watch-config=false",
             "--config=" + os.path.join(REPO, "scorecards", "default.yaml"),
             "--plugin-dir=" + os.path.join(BUILD, "plugins")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=workdir)
        self._ready = threading.Event()
        self.address = None
        # Reads the log as it comes (the server never blocks on a full pipe)
        # and wakes the fixture on "ready on 127.0.0.1:PORT".
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(READY_TIMEOUT) or self.address is None:
            self.stop()
            raise RuntimeError("the server was not ready after %d s:\n%s"
                               % (READY_TIMEOUT, "".join(self.log)))

    def _read(self):
        marker = "ready on 127.0.0.1:"
        for line in self.proc.stdout:
            self.log.append(line)
            if self.address is None and marker in line:
                port = line.split(marker, 1)[1].split(";")[0].split()[0]
                self.address = "127.0.0.1:" + port
                self._ready.set()
        self._ready.set()  # exited: wake the waiter

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = Server(str(tmp_path_factory.mktemp("server")))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def target(server):
    return server.address


@pytest.fixture
def client(target):
    import healthscore
    with healthscore.Client(target, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def portfolio():
    """The sample portfolio as score_batch rows (None for a missing value)."""
    import csv
    path = os.path.join(BUILD, "sample", "portfolio.csv")
    with open(path, newline="") as f:
        return [{k: (v if k in ("customer_id", "segment") else float(v) if v != "" else None)
                 for k, v in row.items()} for row in csv.DictReader(f)]
