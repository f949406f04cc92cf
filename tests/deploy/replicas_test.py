#!/usr/bin/python3
"""Replicas on one store (issue #14): three healthscore-server processes on
one PostgreSQL database, one client round-robin over the three.

What it does, in order:
  1. a fresh database in the PostgreSQL cluster of HS_TEST_POSTGRES_URI_FILE
     (ctest's `postgres` fixture), so the tables never meet history_tests';
  2. the three servers started at the same moment on that empty database:
     they race to migrate it; each must come up, and the schema table must
     hold each version once;
  3. 100,000 distinct customers (the 1,000 sample customers drawn again
     under new ids, 100 batches of 1,000, each batch at its own as_of)
     recorded with ScoreBatch(record=true) through a round-robin channel,
     six batches in flight;
  4. once 40% are acknowledged, one replica is killed with SIGKILL while it
     has calls running; the client retries a call that failed UNAVAILABLE
     (only those: a call that got OK is acknowledged and never sent again);
  5. at 60% the killed replica is restarted on the same ports; the last
     batches wait until the round-robin client has recorded through it;
  6. then every acknowledged customer's history read through the API (a
     third from each replica: one point, at its batch's as_of, with the
     acknowledged score, band and grade); from all three replicas (the two
     survivors and the restarted one) a common sample of 5,000 histories,
     each batch's portfolio (1,000 customers, the acknowledged mean score
     and band counts) and the whole portfolio's count, byte-identical
     between replicas; and every row of the database read with psql.

It prints the counts (sent, acknowledged, retried, stored). Exit status 0
when every check holds; otherwise each failure is printed.

Usage: replicas_test.py BUILD_DIR [REPO_DIR]
  HS_TEST_POSTGRES_URI_FILE  a file holding the cluster's URI (ctest sets it);
                             unset: the test starts its own with
                             tests/store/postgres.sh.
"""

import collections
import csv
import importlib.util
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

CUSTOMERS = 100_000
BATCH = 1_000
BATCHES = CUSTOMERS // BATCH
IN_FLIGHT = 6                      # batches in flight through the channel
KILL_AT = 40                       # acknowledged batches before the kill
RESTART_AT = 60                    # acknowledged batches before the restart
REJOIN_GATE = 90                   # batches from here wait for the rejoin
FIRST_AS_OF = 1735689600           # 2025-01-01T00:00:00Z
AS_OF_STEP = 2 * 86400             # batches two days apart: one day's lookback
                                   # sees one batch
READY_TIMEOUT = 60                 # seconds for a server to log "ready"
WAIT_LIMIT = 120                   # seconds for any other awaited event
MAX_ATTEMPTS = 10                  # per batch
SCORE_BATCH_METHOD = "/healthscore.v1.HealthScoring/ScoreBatch"


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


# --- the stubs, generated from proto/ as clients/python does --------------

def load_stubs(repo, out_dir):
    path = os.path.join(repo, "clients", "python", "healthscore", "_generate.py")
    spec = importlib.util.spec_from_file_location("_hs_generate", path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.generate(out_dir, os.path.join(repo, "proto"))
    sys.path.insert(0, out_dir)
    global grpc, hs_pb2, hs_grpc, hist_pb2, hist_grpc, Timestamp
    import grpc
    from google.protobuf.timestamp_pb2 import Timestamp
    from healthscore.v1 import health_scoring_pb2 as hs_pb2
    from healthscore.v1 import health_scoring_pb2_grpc as hs_grpc
    from healthscore.v1 import history_pb2 as hist_pb2
    from healthscore.v1 import history_pb2_grpc as hist_grpc


# --- PostgreSQL ------------------------------------------------------------

def psql(uri, sql):
    """Runs `sql` with psql; returns its unaligned, tuples-only output."""
    done = subprocess.run(
        ["psql", uri, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql],
        capture_output=True, text=True)
    if done.returncode != 0:
        raise Failed("psql %s: %s" % (sql, done.stderr.strip()))
    return done.stdout.strip()


def with_database(uri, name):
    parts = urllib.parse.urlsplit(uri)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


# --- the servers -----------------------------------------------------------

class Replica:
    """One healthscore-server process; its log is read as it comes."""

    def __init__(self, name, build, repo, store, workdir):
        self.name = name
        self.args = [
            os.path.join(build, "bin", "healthscore-server"),
            "--listen=127.0.0.1:0",
            "--http-listen=127.0.0.1:0",
            "--admin-listen=", "--watch-config=false",
            "--store=" + store,
            "--config=" + os.path.join(repo, "scorecards", "default.yaml"),
            "--plugin-dir=" + os.path.join(build, "plugins")]
        self.workdir = workdir
        self.log = []
        self.port = None
        self.http_port = None
        self.proc = None

    def start(self):
        self.log.append("--- started: %s\n" % " ".join(self.args))
        self.ready = threading.Event()
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     cwd=self.workdir)
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()

    def _read(self, proc):
        ready = re.compile(r"ready on 127\.0\.0\.1:(\d+)")
        http = re.compile(r"/metrics on http://127\.0\.0\.1:(\d+)/")
        for line in proc.stdout:
            self.log.append(line)
            if m := http.search(line):
                self.http_port = int(m.group(1))
            if m := ready.search(line):
                self.port = int(m.group(1))
                self.ready.set()
        self.ready.set()  # exited: wake the waiter

    def wait_ready(self):
        if not self.ready.wait(READY_TIMEOUT):
            raise Failed("%s: no 'ready' line after %d s:\n%s"
                         % (self.name, READY_TIMEOUT, "".join(self.log[-20:])))
        if self.proc.poll() is not None:
            raise Failed("%s exited with status %d before it was ready:\n%s"
                         % (self.name, self.proc.returncode, "".join(self.log[-20:])))
        check(self.http_port is not None, "%s: no /metrics line in its log" % self.name)

    def keep_ports(self):
        """The next start() listens on the ports this one got."""
        self.args[1] = "--listen=127.0.0.1:%d" % self.port
        self.args[2] = "--http-listen=127.0.0.1:%d" % self.http_port

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def metrics(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.http_port,
                                    timeout=10) as r:
            text = r.read().decode()
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.rpartition(" ")
                values[key] = float(value)
        return values

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- the workload ----------------------------------------------------------

def read_portfolio(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        check(header[:2] == ["customer_id", "segment"],
              "%s: expected customer_id, segment first, got %s" % (path, header[:2]))
        rows = [(r[1], [float(v) if v != "" else math.nan for v in r[2:]]) for r in reader]
    # Two sample customers have no data at all: they get a row error and are
    # not recorded; the draw leaves them out so that all 100,000 record.
    rows = [r for r in rows if not all(math.isnan(v) for v in r[1])]
    return header[2:], rows


def make_batches(signal_names, portfolio):
    """100 batches of 1,000 new customers: batch b draws its rows from the
    sample customers with data (seeded by b, so that every batch has its own
    mix and mean) under ids b0042-c0007, all at the batch's as_of."""
    batches = []
    for b in range(BATCHES):
        draw = random.Random(b).choices(portfolio, k=BATCH)
        request = hs_pb2.ScoreBatchRequest(
            signal_names=signal_names, record=True, explain=hs_pb2.EXPLAIN_NONE,
            layout=hs_pb2.LAYOUT_FULL,
            as_of=Timestamp(seconds=FIRST_AS_OF + b * AS_OF_STEP))
        for i, (segment, values) in enumerate(draw):
            request.rows.add(customer_id="b%04d-c%04d" % (b, i), segment=segment,
                             values=values)
        batches.append(request)
    return batches


class Run:
    """Sends the batches through the round-robin channel, with the kill and
    the restart along the way."""

    def __init__(self, batches, replicas):
        self.batches = batches
        self.replicas = replicas
        self.victim = replicas[2]
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.next = 0
        self.acked = {}          # batch -> list of (customer_id, score, band, grade)
        self.attempts = 0        # ScoreBatch calls made
        self.retried = 0         # calls that failed UNAVAILABLE and were sent again
        self.retry_reasons = collections.Counter()
        self.errors = []
        self.killed_with_rows = None
        self.killed_at = None    # acknowledged batches at the kill
        self.rejoined = threading.Event()

    def channel(self):
        target = "ipv4:" + ",".join(r.address for r in self.replicas)
        config = {"loadBalancingConfig": [{"round_robin": {}}]}
        return grpc.insecure_channel(target, options=[
            ("grpc.service_config", json.dumps(config)),
            # Our own retry loop counts the retries; the channel's would not.
            ("grpc.enable_retries", 0),
            # Reconnect to a restarted replica within half a second.
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 500),
            ("grpc.max_receive_message_length", 64 << 20),
            ("grpc.max_send_message_length", 64 << 20)])

    def _take(self):
        with self.lock:
            if self.next >= BATCHES or self.errors:
                return None
            b = self.next
            self.next += 1
            return b

    def _send(self, stub, b):
        request = self.batches[b]
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with self.lock:
                self.attempts += 1
            try:
                # wait_for_ready: a call waits for a connected replica instead
                # of failing while the killed one is still in the rotation;
                # what fails UNAVAILABLE is a call the dead replica had.
                response = stub.ScoreBatch(request, timeout=300, wait_for_ready=True)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.UNAVAILABLE:
                    raise Failed("batch %d attempt %d: %s %s (only UNAVAILABLE is retried)"
                                 % (b, attempt, e.code().name, e.details()))
                with self.lock:
                    self.retried += 1
                    self.retry_reasons[e.details()] += 1
                continue
            return self._acknowledge(b, request, response)
        raise Failed("batch %d: still UNAVAILABLE after %d attempts" % (b, MAX_ATTEMPTS))

    def _acknowledge(self, b, request, response):
        check(len(response.results) == BATCH,
              "batch %d: %d results for %d rows" % (b, len(response.results), BATCH))
        rows = []
        for row, result in zip(request.rows, response.results):
            check(result.customer_id == row.customer_id,
                  "batch %d: result for %r in the place of %r"
                  % (b, result.customer_id, row.customer_id))
            check(result.HasField("score"), "batch %d: customer %s was not scored: %s"
                  % (b, row.customer_id, result.error.message))
            s = result.score
            check(s.as_of.seconds == request.as_of.seconds,
                  "batch %d: %s scored at as_of %d, sent %d"
                  % (b, row.customer_id, s.as_of.seconds, request.as_of.seconds))
            rows.append((row.customer_id, s.score, s.band, s.grade))
        with self.lock:
            self.acked[b] = rows
            self.changed.notify_all()

    def _worker(self, stub):
        while (b := self._take()) is not None:
            if b >= REJOIN_GATE and not self.rejoined.is_set():
                if not self.rejoined.wait(WAIT_LIMIT):
                    raise Failed("the round-robin client recorded nothing through the "
                                 "restarted replica in %d s" % WAIT_LIMIT)
            self._send(stub, b)

    def _worker_guarded(self, stub):
        try:
            self._worker(stub)
        except Exception as e:  # noqa: BLE001  (reported as a failure)
            with self.lock:
                self.errors.append("%s: %s" % (type(e).__name__, e))
                self.changed.notify_all()

    def _wait_acked(self, count):
        with self.lock:
            if not self.changed.wait_for(lambda: len(self.acked) >= count or self.errors,
                                         WAIT_LIMIT):
                raise Failed("%d of %d batches acknowledged after waiting %d s"
                             % (len(self.acked), count, WAIT_LIMIT))
            if self.errors:
                raise Failed("sending failed first")

    def _chaos(self):
        """The kill at KILL_AT, the restart at RESTART_AT, the rejoin."""
        self._wait_acked(KILL_AT)
        # SIGKILL while the victim has calls running or queued (its
        # healthscore_queued_rows counts them until their reply is sent):
        # at least two batches, so that the replies of all of them slipping
        # out between the look and the kill (milliseconds, against the
        # hundreds a batch takes) is not a case to reckon with.
        while True:
            rows = self.victim.metrics().get("healthscore_queued_rows", 0)
            if rows >= 2 * BATCH:
                break
            with self.lock:
                if self.next >= BATCHES or self.errors:
                    raise Failed("the victim never had two batches in flight "
                                 "before the last batch was sent")
        self.victim.kill()
        self.killed_with_rows = int(rows)
        with self.lock:
            self.killed_at = len(self.acked)
        self._wait_acked(RESTART_AT)
        self.victim.start()
        self.victim.wait_ready()
        # The round-robin client finds it again: wait for its first recorded
        # batch (the batches from REJOIN_GATE on wait for this).
        deadline = time.monotonic() + WAIT_LIMIT
        while time.monotonic() < deadline:
            ok = self.victim.metrics().get(
                'healthscore_requests_total{method="%s",code="OK"}' % SCORE_BATCH_METHOD, 0)
            if ok >= 1:
                self.rejoined.set()
                return
            with self.lock:
                if self.errors:
                    return
        raise Failed("the restarted replica served no ScoreBatch in %d s" % WAIT_LIMIT)

    def run(self):
        channel = self.channel()
        stub = hs_grpc.HealthScoringStub(channel)
        workers = [threading.Thread(target=self._worker_guarded, args=(stub,))
                   for _ in range(IN_FLIGHT)]
        start = time.monotonic()
        for w in workers:
            w.start()
        try:
            self._chaos()
        except Exception as e:  # noqa: BLE001
            with self.lock:
                self.errors.append("%s: %s" % (type(e).__name__, e))
            self.rejoined.set()  # release the waiting workers
        for w in workers:
            w.join()
        self.seconds = time.monotonic() - start
        channel.close()
        if self.errors:
            raise Failed("; ".join(self.errors))
        check(len(self.acked) == BATCHES,
              "%d of %d batches acknowledged" % (len(self.acked), BATCHES))


# --- reading back ----------------------------------------------------------

def read_histories(address, customer_ids):
    """GetHistory of each of `customer_ids` from one replica (256 calls in
    flight); returns {customer_id: [(as_of, score, band, grade,
    recorded_at_us), ...]}."""
    channel = grpc.insecure_channel(address, options=[
        ("grpc.max_receive_message_length", 64 << 20)])
    stub = hist_grpc.HistoryStub(channel)
    seen = {}
    pending = collections.deque()

    def collect():
        customer_id, future = pending.popleft()
        try:
            points = future.result().points
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.NOT_FOUND:
                raise Failed("%s: GetHistory %s: %s %s"
                             % (address, customer_id, e.code().name, e.details()))
            points = []  # no point at all: reported as missing
        seen[customer_id] = [(p.as_of.seconds, p.score, p.band, p.grade,
                              p.recorded_at.ToMicroseconds()) for p in points]

    for customer_id in customer_ids:
        pending.append((customer_id, stub.GetHistory.future(
            hist_pb2.GetHistoryRequest(customer_id=customer_id, page_size=10),
            timeout=60)))
        if len(pending) >= 256:
            collect()
    while pending:
        collect()
    channel.close()
    return seen


def history_problems(seen, expected):
    """The customers whose history is not exactly their acknowledged point."""
    return ["%s: stored %s, acknowledged %s" % (c, [p[:4] for p in points], expected[c])
            for c, points in seen.items() if [p[:4] for p in points] != [expected[c]]]


def read_portfolios(address):
    """Each batch's date with a one-day lookback (that batch's customers),
    and the whole history at the last date."""
    channel = grpc.insecure_channel(address)
    stub = hist_grpc.HistoryStub(channel)
    per_batch = []
    for b in range(BATCHES):
        per_batch.append(stub.GetPortfolio(hist_pb2.GetPortfolioRequest(
            as_of=Timestamp(seconds=FIRST_AS_OF + b * AS_OF_STEP),
            lookback_days=1, window_days=1), timeout=60))
    whole = stub.GetPortfolio(hist_pb2.GetPortfolioRequest(
        as_of=Timestamp(seconds=FIRST_AS_OF + (BATCHES - 1) * AS_OF_STEP),
        lookback_days=3660, window_days=1), timeout=60)
    channel.close()
    return per_batch, whole


def check_portfolio(name, b, response, rows):
    figures = response.current.figures[0]
    check(figures.segment == "", "%s: batch %d: first figures are segment %r"
          % (name, b, figures.segment))
    check(figures.customers == len(rows), "%s: batch %d: the portfolio at its date has "
          "%d customers, %d were acknowledged" % (name, b, figures.customers, len(rows)))
    mean = sum(r[1] for r in rows) / len(rows)
    check(abs(figures.mean_score - mean) <= 1e-9,
          "%s: batch %d: stored mean score %.12f, acknowledged %.12f"
          % (name, b, figures.mean_score, mean))
    bands = collections.Counter(r[2] for r in rows)
    stored = {c.name: c.count for c in figures.bands if c.count}
    check(stored == dict(bands), "%s: batch %d: stored bands %s, acknowledged %s"
          % (name, b, stored, dict(bands)))


# --- the test --------------------------------------------------------------

def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    repo = os.path.abspath(sys.argv[2] if len(sys.argv) == 3 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    work = tempfile.mkdtemp(prefix="hs-replicas-")
    cleanups = []
    replicas = []
    try:
        load_stubs(repo, os.path.join(work, "stubs"))

        uri_file = os.environ.get("HS_TEST_POSTGRES_URI_FILE")
        if not uri_file:
            state = os.path.join(work, "postgres")
            script = os.path.join(repo, "tests", "store", "postgres.sh")
            subprocess.run([script, "start", state], check=True)
            cleanups.append(lambda: subprocess.run([script, "stop", state]))
            uri_file = os.path.join(state, "uri")
        with open(uri_file) as f:
            cluster = f.read().strip()
        database = "hs_replicas_%d" % os.getpid()
        psql(cluster, "CREATE DATABASE %s" % database)
        cleanups.append(lambda: psql(cluster, "DROP DATABASE IF EXISTS %s WITH (FORCE)"
                                     % database))
        store = with_database(cluster, database)

        # 1. Three servers at once on the empty database.
        replicas = [Replica("replica-%d" % (i + 1), build, repo, store,
                            work) for i in range(3)]
        for r in replicas:
            r.start()
        for r in replicas:
            r.wait_ready()
        versions = psql(store, "SELECT version, COUNT(*) FROM healthscore_schema "
                               "GROUP BY version ORDER BY version").split("\n")
        counts = [tuple(map(int, v.split("|"))) for v in versions]
        check(counts and all(n == 1 for _, n in counts)
              and [v for v, _ in counts] == list(range(1, len(counts) + 1)),
              "schema versions after 3 concurrent starts (version, rows): %s" % counts)
        print("3 replicas started together on an empty database: %s; schema versions "
              "1-%d, each recorded once" % (", ".join(r.address for r in replicas),
                                           len(counts)))

        # 2. The workload.
        signal_names, portfolio = read_portfolio(os.path.join(build, "sample", "portfolio.csv"))
        batches = make_batches(signal_names, portfolio)
        run = Run(batches, replicas)
        victim = run.victim
        victim.keep_ports()
        run.run()
        acked_customers = sum(len(rows) for rows in run.acked.values())
        print("recorded %d customers in %d batches in %.1f s through round robin; %s "
              "killed (SIGKILL) with %d rows in flight after %d batches were acknowledged, "
              "restarted after %d" % (acked_customers, BATCHES, run.seconds, victim.name,
                                     run.killed_with_rows, run.killed_at, RESTART_AT))
        check(run.retried >= 1, "no call failed when %s was killed with %d rows in flight"
              % (victim.name, run.killed_with_rows))
        for reason, n in run.retry_reasons.most_common():
            print("  retried %d call(s) after UNAVAILABLE: %s" % (n, reason))
        served = ['%s %d' % (r.name, r.metrics().get(
            'healthscore_requests_total{method="%s",code="OK"}' % SCORE_BATCH_METHOD, 0))
            for r in replicas]
        print("  ScoreBatch calls answered OK: %s (%s: since its restart)"
              % (", ".join(served), victim.name))

        # 3. Reading back. A common sample of histories (50 a batch) and
        # every batch's portfolio from all three replicas through the API,
        # compared with what was acknowledged and with each other byte for
        # byte; then every row in the database with psql, against every
        # acknowledged customer. (Reading all 100,000 histories through the
        # API as well took a minute more and checked nothing psql does not.)
        for r in replicas:
            check(r.proc.poll() is None, "%s is not running" % r.name)
        expected = {}
        for b, rows in run.acked.items():
            for customer_id, score, band, grade in rows:
                expected[customer_id] = (FIRST_AS_OF + b * AS_OF_STEP, score, band, grade)
        everyone = sorted(expected)
        sample = sorted(random.Random(-1).sample(everyone, 50 * BATCHES))
        answers = {}
        for r in replicas:
            start = time.monotonic()
            common = read_histories(r.address, sample)
            problems = history_problems(common, expected)
            check(not problems, "%s: %d sampled customers differ from their history, "
                  "e.g. %s" % (r.name, len(problems), problems[:3]))
            per_batch, whole = read_portfolios(r.address)
            for b in range(BATCHES):
                check_portfolio(r.name, b, per_batch[b], run.acked[b])
            stored = whole.current.figures[0].customers
            check(stored == acked_customers, "%s: the portfolio counts %d customers, %d were "
                  "acknowledged" % (r.name, stored, acked_customers))
            answers[r.name] = (common, [p.SerializeToString(deterministic=True)
                                        for p in per_batch + [whole]])
            print("%s: %d sampled histories, each exactly the acknowledged "
                  "point; %d batch portfolios match the acknowledged scores and bands; the "
                  "portfolio counts %d customers (%.1f s)"
                  % (r.name, len(common), BATCHES, stored,
                     time.monotonic() - start))
        first = replicas[0].name
        for r in replicas[1:]:
            check(answers[r.name] == answers[first],
                  "%s and %s answer differently" % (r.name, first))
        print("the three replicas answer the same, byte for byte (the sample's histories "
              "with their recorded_at, the %d portfolios)" % (BATCHES + 1))
        rows = {}
        for line in psql(store, "SELECT customer_id, as_of_us, score, band, grade "
                                "FROM points").splitlines():
            customer_id, as_of_us, score, band, grade = line.split("|")
            rows.setdefault(customer_id, []).append(
                (int(as_of_us) // 1_000_000, float(score), band, grade))
        stored_points = sum(len(v) for v in rows.values())
        missing = [c for c in everyone if rows.get(c) != [expected[c]]]
        check(not missing and stored_points == acked_customers,
              "the database holds %d points of %d customers; %d acknowledged customers "
              "lack their point, e.g. %s" % (stored_points, len(rows), len(missing),
                                             [(c, rows.get(c), expected[c])
                                              for c in missing[:3]]))
        print("the database holds %d points, one per acknowledged customer, each with "
              "its acknowledged as_of, score, band and grade" % stored_points)
        print("COUNTS: sent %d customers (%d ScoreBatch calls for %d batches), "
              "acknowledged %d, retried %d call(s) (%d customers), stored %d points"
              % (CUSTOMERS, run.attempts, BATCHES, acked_customers, run.retried,
                 run.retried * BATCH, stored_points))
        print("PASS")
        return 0
    except Exception as e:  # noqa: BLE001  (a failed check, or an RPC that failed)
        print("FAIL: %s" % (e if isinstance(e, Failed) else "%s: %s" % (type(e).__name__, e)))
        for r in replicas:
            print("--- %s log (last 30 lines)" % r.name)
            print("".join(r.log[-30:]), end="")
        return 1
    finally:
        for r in replicas:
            r.stop()
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception as e:  # noqa: BLE001
                print("cleanup: %s" % e)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
