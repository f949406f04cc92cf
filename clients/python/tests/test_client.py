"""The Python client against the real server (see conftest.py)."""

import dataclasses
import glob
import math
import os
import queue
import re
import shutil
import subprocess
import sys
import threading

import grpc
import pytest

import healthscore
from healthscore import compact
from healthscore._stubs import pb
from healthscore._wording import RuleWording, format_number

from conftest import BUILD, PACKAGE_ROOT, REPO

TIMEOUT = 60


def carried_by_compact(s):
    """A full-layout Score less what the compact layout leaves out."""
    return dataclasses.replace(
        s, actions=[], groups=[], gates=[], trend=None, override=None,
        dimensions=[dataclasses.replace(d, weight=None, group=None) for d in s.dimensions])


# ------------------------------------------------------------ score_batch


@pytest.mark.parametrize("explain", ["summary", "none"])
def test_compact_and_full_layouts_decode_to_equal_objects(client, portfolio, explain):
    full = client.score_batch(portfolio, explain=explain, layout="full")
    local = client.score_batch(portfolio, explain=explain, layout="compact")
    sent = client.score_batch(portfolio, explain=explain, layout="compact", sentences=True,
                              batch_size=300)  # also across calls
    assert len(full) == len(local) == len(sent) == len(portfolio) == 1000
    assert [r.customer_id for r in local] == [row["customer_id"] for row in portfolio]
    for f, c, s in zip(full, local, sent):
        if isinstance(f, healthscore.RowError):
            assert c == f
            assert s.message == f.message and s.code == f.code and s.customer_id == f.customer_id
            continue
        # Every number bit for bit, every sentence formatted here as the
        # server formats it.
        assert c == carried_by_compact(f), f.customer_id
        assert s == c, f.customer_id
    scores = local.scores
    assert len(local.errors) == 2
    assert all(e.code == grpc.StatusCode.FAILED_PRECONDITION for e in local.errors)
    assert [e.index for e in local.errors] == [portfolio.index(next(
        r for r in portfolio if r["customer_id"] == e.customer_id)) for e in local.errors]
    # The comparison covered what it claims to.
    assert any(d.status != "OK" and d.status_reason for s in scores for d in s.dimensions)
    assert any(s.warnings for s in scores)
    assert local.provenance.scorecard_hash == full.provenance.scorecard_hash
    if explain == "summary":
        drivers = [d for s in scores for d in s.drivers_up + s.drivers_down]
        assert len(drivers) > 1000 and all(d.message for d in drivers)
        assert any(d.rule_id.startswith("gate:") for d in drivers)
        assert any(d.args for d in drivers) and any(d.observed is None for d in drivers)
    else:
        assert not any(s.drivers_up or s.drivers_down for s in scores)


def test_score_equals_the_batch_score(client, portfolio):
    row = dict(portfolio[0])
    cid, segment = row.pop("customer_id"), row.pop("segment")
    one = client.score(cid, row, segment=segment)
    [batched] = client.score_batch([portfolio[0]], explain="summary", layout="full")
    assert dataclasses.replace(one, unused_signals=[]) == batched
    assert one.segment == segment and one.band in ("green", "yellow", "red")
    assert one.dimension("financial_health").plugin.startswith("financial_health@")
    assert one.actions and isinstance(one.actions[0], healthscore.Action)
    assert isinstance(one.drivers_down[0], healthscore.Driver)


def test_score_batch_row_errors_leave_the_others_scored(client):
    rows = [{"customer_id": "ok-1", "logins_30d": 30, "feature_adoption_pct": 50},
            {"customer_id": "bad-1", "logins_30d": 30, "late_payments_12m": -1},
            {"customer_id": "ok-2", "segment": "smb", "logins_30d": None, "feature_adoption_pct": 70}]
    for layout in ("full", "compact"):
        out = client.score_batch(rows, layout=layout)
        assert [r.ok for r in out] == [True, False, True]
        err = out[1]
        assert err.index == 1 and err.customer_id == "bad-1"
        assert err.code == grpc.StatusCode.INVALID_ARGUMENT
        assert re.fullmatch(r"rows\[1\]\.values\[2\] \(late_payments_12m\) = -1 is below the "
                            r"minimum 0 \(count, declared by financial_health@[0-9.]+\)",
                            err.message), err.message
        assert isinstance(err.exception(), healthscore.InvalidArgument)
        assert out[2].segment == "smb"


def test_score_batch_from_a_dataframe(client, portfolio):
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(portfolio[:200])
    assert client.score_batch(frame, explain="summary") == \
        client.score_batch(portfolio[:200], explain="summary")
    indexed = client.score_batch(frame.set_index("customer_id"), layout="full")
    assert [r.customer_id for r in indexed] == list(frame["customer_id"])


def test_score_batch_refuses_what_is_not_a_number(client):
    with pytest.raises(ValueError, match=r"rows\[0\]\['logins_30d'\] = 'many' is not a number"):
        client.score_batch([{"customer_id": "x", "logins_30d": "many"}])


# ------------------------------------------------------------ errors


def test_errors_are_typed_with_the_server_message(client, target):
    with pytest.raises(healthscore.InvalidArgument) as e:
        client.score("c1", {"late_payments_12m": -2})
    assert e.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert re.fullmatch(r"customer\.signals\['late_payments_12m'\] = -2 is below the minimum 0 "
                        r"\(count, declared by financial_health@[0-9.]+\)", e.value.message)
    assert isinstance(e.value, ValueError) and isinstance(e.value, healthscore.HealthscoreError)

    with pytest.raises(healthscore.FailedPrecondition) as e:
        client.score("c1", {})
    assert "no dimension with weight could score this customer" in e.value.message

    with pytest.raises(healthscore.NotFound) as e:
        client.history("nobody-ever")
    assert e.value.code == grpc.StatusCode.NOT_FOUND and e.value.message

    with pytest.raises(healthscore.InvalidArgument) as e:  # the whole call: repeated names
        try:
            client.raw.scoring.ScoreBatch(pb.health_scoring_pb2.ScoreBatchRequest(
                signal_names=["logins_30d", "logins_30d"]), timeout=TIMEOUT)
        except grpc.RpcError as rpc:
            raise healthscore.errors.from_rpc_error(rpc)
    assert e.value.message
    assert isinstance(healthscore.error_class(grpc.StatusCode.RESOURCE_EXHAUSTED)("x"),
                      healthscore.ResourceExhausted)


def test_an_empty_batch_is_an_empty_result(client):
    assert client.score_batch([]) == []


def test_unavailable(tmp_path):
    with healthscore.Client("unix:" + str(tmp_path / "nothing.sock"), timeout=TIMEOUT) as c:
        with pytest.raises(healthscore.Unavailable) as e:
            c.score("c1", {"logins_30d": 1})
    assert e.value.code == grpc.StatusCode.UNAVAILABLE
    assert isinstance(e.value, ConnectionError)


def test_watch_errors(client):
    with pytest.raises(healthscore.OutOfRange) as e:
        next(client.watch_alerts(after_cursor=1 << 40))
    assert e.value.message.startswith("after_cursor=1099511627776 is not a cursor this history")
    with pytest.raises(healthscore.DeadlineExceeded):  # nothing comes for this segment
        for _ in client.watch_alerts(segment="no-such-segment", timeout=0.5):
            pass


# ------------------------------------------------------------ history, why


GOOD = {"feature_adoption_pct": 85, "logins_30d": 55, "logins_prev_30d": 50,
        "revenue_growth_pct": 20, "late_payments_12m": 0, "csat_90d_pct": 90,
        "support_tickets_90d": 2, "support_escalations_90d": 0}
BAD = dict(GOOD, feature_adoption_pct=10, logins_30d=3, late_payments_12m=5, csat_90d_pct=35,
           support_tickets_90d=30, support_escalations_90d=5)


def test_history_after_recording_and_why_between_two_points(client):
    first = client.score("py-hist", GOOD, segment="smb", as_of="2025-01-31", record=True)
    second = client.score("py-hist", BAD, segment="smb", as_of="2025-02-28T00:00:00Z", record=True)
    assert first.trend is not None and not first.trend.has_previous
    assert second.trend.has_previous and second.trend.change == pytest.approx(second.score - first.score)

    points = client.history("py-hist", full=True)
    assert [p.as_of.strftime("%Y-%m-%d") for p in points] == ["2025-02-28", "2025-01-31"]
    assert [p.score for p in points] == [second.score, first.score]
    assert points[1].inputs == {k: float(v) for k, v in GOOD.items()}
    assert points[0].band == second.band and points[0].segment == "smb"
    assert len(client.history("py-hist", from_="2025-02-01", page_size=1)) == 1

    change = client.why("py-hist", "2025-01-31", "2025-02-28")
    assert change.before.score == first.score and change.after.score == second.score
    assert change.delta == pytest.approx(second.score - first.score)
    assert change.delta < 0
    assert sum(d.change for d in change.dimensions) + change.gates_change == \
        pytest.approx(change.delta, abs=1e-6)
    assert change.summary and change.signals
    assert {s.signal for s in change.signals} <= set(GOOD)
    assert all(isinstance(d, healthscore.DimensionChange) for d in change.dimensions)


# ------------------------------------------------------------ alerts


def test_watch_alerts_sees_the_alert_a_recorded_score_opens(client):
    events = queue.Queue()

    def watch():
        try:
            for event in client.watch_alerts(after_cursor=0, timeout=TIMEOUT):
                events.put(event)
                if event.alert.customer_id == "py-alert" and event.alert.rule_id == "red_score":
                    return  # closes the generator: the call is cancelled
        except Exception as e:  # noqa: BLE001  (handed to the test thread)
            events.put(e)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    s = client.score("py-alert", BAD, segment="smb", record=True)
    assert s.score < 50, s.score  # the default scorecard's red_score enters below 50
    seen = []
    while True:
        item = events.get(timeout=TIMEOUT)
        if isinstance(item, Exception):
            raise item
        if item.alert.customer_id != "py-alert":
            continue
        seen.append(item)
        if item.alert.rule_id == "red_score":
            break
    watcher.join(TIMEOUT)
    assert not watcher.is_alive()
    event = seen[-1]
    assert event.kind == "OPENED" and event.cursor > 0
    assert event.alert.state == "OPEN" and event.alert.severity == "high"
    assert event.alert.score_at_open == s.score
    assert event.alert.message.startswith("Health score fell below 50")
    listed = client.alerts(customer_id="py-alert", state="open")
    assert event.alert.id in [a.id for a in listed]
    acked = client.acknowledge_alert(event.alert.id, who="pytest", note="looking")
    assert acked.state == "ACKNOWLEDGED" and acked.acknowledged_by == "pytest"
    # Resuming after the cursor sees the acknowledgement, and not the opening again.
    after = next(client.watch_alerts(after_cursor=event.cursor, timeout=TIMEOUT))
    assert after.cursor > event.cursor


# ------------------------------------------------------------ compact decoding


def test_a_compact_reply_that_does_not_fit_is_data_loss(client, portfolio):
    request = pb.health_scoring_pb2.ScoreBatchRequest(
        signal_names=["logins_30d", "feature_adoption_pct"], layout=2, explain=2)
    request.rows.add(customer_id="a", values=[10, 20])
    request.rows.add(customer_id="b", values=[40, 80])
    response = client.raw.scoring.ScoreBatch(request, timeout=TIMEOUT)
    assert len(compact.decode(response)) == 2
    del response.compact.coverage[-1]
    with pytest.raises(healthscore.CompactDecodeError, match="coverage has 1 entries; expected 2") as e:
        compact.decode(response)
    assert e.value.code == grpc.StatusCode.DATA_LOSS


def test_sentence_formats_match_the_server():
    assert format_number(12500, "usd") == "$12,500"
    assert format_number(-0.4, "usd") == "$0"
    assert format_number(-1234.5, "usd") == "-$1,234"  # as printf rounds: to even
    assert format_number(12.0, "number") == "12"
    assert format_number(-0.04, "number") == "0"
    assert format_number(3, "signed") == "+3" and format_number(0.01, "signed") == "0"
    assert format_number(1, "days") == "1 day" and format_number(2.5, "days") == "2.5 days"
    assert format_number(0.856, "ratio") == "0.86"
    assert format_number(4, "plural", "touchpoint") == "4 touchpoints"
    assert format_number(math.nan) == "n/a"
    w = RuleWording("late_payments", "count", raises="", lowers="{observed:plural:payment} late "
                    "(over {threshold}) {{sic}}", args=())
    assert w.for_impact(-2).render(3, 1, []) == "3 payments late (over 1) {sic}"
    assert w.for_impact(2).render(3, 1, []) == "late payments (observed 3)"
    assert w.for_impact(0).render(1, 1, []) == "1 payment late (over 1) {sic}"


# ------------------------------------------------------------ examples, docs, install


EXAMPLES = sorted(glob.glob(os.path.join(PACKAGE_ROOT, "examples", "*.py")))


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_example_runs(target, path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    args = [sys.executable, path, target]
    if os.path.basename(path) == "batch.py":
        args.append(os.path.join(BUILD, "sample", "portfolio.csv"))
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TIMEOUT * 2)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    expected = {"score_one.py": "refused (INVALID_ARGUMENT): customer.signals['late_payments_12m']",
                "batch.py": "998 scored, 2 not",
                "history_why.py": "delta -",
                "watch_alerts.py": "OPENED"}[os.path.basename(path)]
    assert expected in done.stdout, done.stdout


def test_docs_show_the_examples_as_they_are():
    with open(os.path.join(REPO, "docs", "clients.md")) as f:
        doc = f.read()
    for path in EXAMPLES:
        with open(path) as f:
            body = f.read().strip()
        assert body in doc, "docs/clients.md does not show %s as it is" % os.path.basename(path)


@pytest.mark.skipif(shutil.which("pip") is None and subprocess.run(
    [sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0,
    reason="pip is not installed")
def test_installs_from_the_folder_without_network(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(PACKAGE_ROOT, source, ignore=shutil.ignore_patterns(
        "__pycache__", "build", "*.egg-info", "v1"))
    env = dict(os.environ, HEALTHSCORE_PROTO_DIR=os.path.join(REPO, "proto"), PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                           "--no-deps", "--target", str(site), str(source)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (site / "healthscore" / "v1" / "health_scoring_pb2_grpc.py").exists()
    check = subprocess.run(
        [sys.executable, "-c", "import healthscore, healthscore.v1.alerts_pb2 as a; "
         "print(healthscore.__file__, a.AlertEvent.DESCRIPTOR.full_name)"],
        env=dict(env, PYTHONPATH=str(site)), cwd=str(tmp_path), capture_output=True, text=True,
        timeout=TIMEOUT)
    assert check.returncode == 0, check.stderr
    assert str(site) in check.stdout and "healthscore.v1.AlertEvent" in check.stdout
