"""The client: one channel, the public services, plain objects back."""

import math
from collections.abc import Mapping

import grpc

from . import _convert as conv
from . import compact as _compact
from . import types as t
from ._stubs import pb
from .errors import from_rpc_error, status_code

__all__ = ["Client"]

_EXPLAIN = {"none": 1, "summary": 2, "full": 3}
_LAYOUT = {"full": 1, "compact": 2}
_ROW_KEYS = ("customer_id", "segment", "attributes")


def _explain(value):
    if isinstance(value, int):
        return value
    try:
        return _EXPLAIN[str(value).lower()]
    except KeyError:
        raise ValueError("explain must be 'none', 'summary' or 'full', not %r" % (value,)) from None


def _number(value, where):
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError("%s = %r is not a number" % (where, value)) from None


def _is_missing(value):
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def _rows(rows):
    """Dicts from an iterable of mappings, or from a pandas DataFrame."""
    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None and isinstance(rows, pandas.DataFrame):
        frame = rows
        if "customer_id" not in frame.columns:
            if frame.index.name == "customer_id":
                frame = frame.reset_index()
            else:
                raise ValueError("the DataFrame has no customer_id column (or index)")
        columns = [str(c) for c in frame.columns]
        for values in frame.itertuples(index=False, name=None):
            yield dict(zip(columns, values))
        return
    for row in rows:
        if not isinstance(row, Mapping):
            raise TypeError("score_batch rows are mappings (or a pandas DataFrame), not %s"
                            % type(row).__name__)
        yield row


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Client:
    """A connection to a healthscore server.

        with healthscore.Client("127.0.0.1:50051") as client:
            s = client.score("cust-1", {"logins_30d": 40, "late_payments_12m": 0})
            print(s.score, s.band, [d.message for d in s.drivers_down])

    `timeout` (seconds) is every call's deadline unless a call says otherwise;
    None waits for ever. `credentials` (grpc.ChannelCredentials) makes a
    secure channel; `options` are gRPC channel options. Calls raise the typed
    exceptions of healthscore.errors.
    """

    def __init__(self, target, timeout=None, credentials=None, options=None):
        self.target = target
        self.timeout = timeout
        options = list(options or [])
        # The server bounds its replies (--max-message-bytes); gRPC's 4 MB
        # default would refuse a full-layout batch of 1,000 customers.
        if not any(k == "grpc.max_receive_message_length" for k, _ in options):
            options.append(("grpc.max_receive_message_length", 256 << 20))
        if credentials is None:
            self.channel = grpc.insecure_channel(target, options=options)
        else:
            self.channel = grpc.secure_channel(target, credentials, options=options)
        self.raw = _Raw(self.channel)

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _call(self, method, request, timeout):
        try:
            return method(request, timeout=self.timeout if timeout is None else timeout)
        except grpc.RpcError as e:
            raise from_rpc_error(e) from None

    # ------------------------------------------------------------ scoring

    def score(self, customer_id, signals, segment=None, explain="summary", as_of=None,
              record=False, attributes=None, timeout=None):
        """Scores one customer: a Score. `signals` maps signal names to
        numbers (None or NaN: leave the signal out)."""
        hs = pb.health_scoring_pb2
        customer = hs.Customer(customer_id=customer_id, segment=segment or "")
        for name, value in (signals or {}).items():
            if not _is_missing(value):
                customer.signals[name] = _number(value, "signals[%r]" % name)
        for key, value in (attributes or {}).items():
            customer.attributes[key] = str(value)
        if as_of is not None:
            customer.as_of.CopyFrom(conv.timestamp(as_of))
        request = hs.ScoreRequest(customer=customer, explain=_explain(explain), record=record)
        response = self._call(self.raw.scoring.Score, request, timeout)
        return conv.score(response.score, response.unused_signals)

    def score_batch(self, rows, explain="none", layout="compact", sentences=False,
                    batch_size=1000, as_of=None, record=False, timeout=None):
        """Scores many customers: a BatchResult (a list) with one Score or
        RowError per row, in order.

        `rows` is an iterable of dicts {"customer_id": ..., "segment": ...,
        "attributes": {...}, <signal>: value, ...} or a pandas DataFrame with
        those columns. None / NaN values are missing signals. Rows go in calls
        of `batch_size`. `layout` "compact" (fewer bytes; decoded here into the
        same objects, less what it leaves out: see healthscore.compact) or
        "full"; `sentences` asks the compact layout for the driver sentences
        instead of formatting them here.
        """
        if layout not in _LAYOUT:
            raise ValueError("layout must be 'full' or 'compact', not %r" % (layout,))
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        hs = pb.health_scoring_pb2
        stamp = conv.timestamp(as_of) if as_of is not None else None
        as_of_dt = conv.to_datetime(stamp) if stamp is not None else None
        out = t.BatchResult()
        unused = []
        first = 0
        for chunk in _chunks(_rows(rows), batch_size):
            names = []
            seen = set()
            for row in chunk:
                for key in row:
                    if key not in _ROW_KEYS and key not in seen:
                        seen.add(key)
                        names.append(key)
            request = hs.ScoreBatchRequest(signal_names=names, explain=_explain(explain),
                                           record=record, layout=_LAYOUT[layout],
                                           sentences=sentences)
            if stamp is not None:
                request.as_of.CopyFrom(stamp)
            segments = []
            for i, row in enumerate(chunk):
                cid = row.get("customer_id")
                segment = row.get("segment")
                segment = "" if _is_missing(segment) else str(segment)
                segments.append(segment)
                r = request.rows.add(customer_id="" if cid is None else str(cid), segment=segment)
                r.values.extend(_number(row.get(n), "rows[%d][%r]" % (first + i, n))
                                for n in names)
                for key, value in (row.get("attributes") or {}).items():
                    r.attributes[key] = str(value)
            response = self._call(self.raw.scoring.ScoreBatch, request, timeout)
            if layout == "compact":
                out.extend(_compact.decode(response, segments, as_of_dt, first))
            else:
                for i, result in enumerate(response.results):
                    if result.WhichOneof("result") == "score":
                        out.append(conv.score(result.score))
                    else:
                        out.append(t.RowError(first + i, result.customer_id,
                                              status_code(result.error.code),
                                              result.error.message))
            for name in response.unused_signals:
                if name not in unused:
                    unused.append(name)
            if response.HasField("provenance"):
                out.provenance = conv.provenance(response.provenance)
            first += len(chunk)
        out.unused_signals = unused
        return out

    # ------------------------------------------------------------ history

    def history(self, customer_id, from_=None, to=None, full=False, page_size=None,
                timeout=None):
        """A customer's recorded points, newest first (every page): a list of
        HistoryPoint. NotFound when it has none. `full` adds inputs and the
        rules that fired."""
        h = pb.history_pb2
        request = h.GetHistoryRequest(customer_id=customer_id, full=full,
                                      page_size=page_size or 0)
        if from_ is not None:
            getattr(request, "from").CopyFrom(conv.timestamp(from_))
        if to is not None:
            request.to.CopyFrom(conv.timestamp(to))
        points = []
        while True:
            response = self._call(self.raw.history.GetHistory, request, timeout)
            points.extend(conv.history_point(p) for p in response.points)
            if not response.next_page_token:
                return points
            request.page_token = response.next_page_token

    def why(self, customer_id, from_, to=None, timeout=None):
        """Why the score moved from the point at or before `from_` to the one
        at or before `to` (default: the newest): a Change."""
        h = pb.history_pb2
        request = h.ExplainChangeRequest(customer_id=customer_id)
        getattr(request, "from").CopyFrom(conv.timestamp(from_))
        if to is not None:
            request.to.CopyFrom(conv.timestamp(to))
        return conv.change(self._call(self.raw.history.ExplainChange, request, timeout))

    # ------------------------------------------------------------ alerts

    def alerts(self, state=None, segment="", severity="", customer_id="", explain=False,
               timeout=None):
        """Alerts, newest first (every page): a list of Alert. `state` is
        "open", "acknowledged" or "resolved" (None: all)."""
        al = pb.alerts_pb2
        request = al.ListAlertsRequest(segment=segment, severity=severity,
                                       customer_id=customer_id, explain=explain)
        if state:
            request.state = al.AlertState.Value("ALERT_STATE_" + state.upper())
        alerts = []
        while True:
            response = self._call(self.raw.alerts.ListAlerts, request, timeout)
            alerts.extend(conv.alert(a) for a in response.alerts)
            if not response.next_page_token:
                return alerts
            request.page_token = response.next_page_token

    def watch_alerts(self, after_cursor=0, segment="", severity="", timeout=None):
        """A generator of AlertEvent: every event after `after_cursor`, then new
        ones as they are committed, until the generator is closed (or `timeout`
        seconds pass: DeadlineExceeded). Resume after a disconnect with the
        last event's cursor: nothing is missed or repeated.

            for event in client.watch_alerts():
                print(event.kind, event.alert.customer_id, event.alert.message)
        """
        al = pb.alerts_pb2
        request = al.WatchAlertsRequest(after_cursor=after_cursor, segment=segment,
                                        severity=severity)
        call = self.raw.alerts.WatchAlerts(
            request, timeout=self.timeout if timeout is None else timeout)
        try:
            for event in call:
                yield conv.alert_event(event)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.CANCELLED and not call.is_active():
                return  # we cancelled it (the generator was closed)
            raise from_rpc_error(e) from None
        finally:
            call.cancel()

    def acknowledge_alert(self, alert_id, who, note="", timeout=None):
        request = pb.alerts_pb2.AcknowledgeAlertRequest(id=alert_id, who=who, note=note)
        return conv.alert(self._call(self.raw.alerts.AcknowledgeAlert, request, timeout))

    def resolve_alert(self, alert_id, who, note="", timeout=None):
        request = pb.alerts_pb2.ResolveAlertRequest(id=alert_id, who=who, note=note)
        return conv.alert(self._call(self.raw.alerts.ResolveAlert, request, timeout))


class _Raw:
    """The generated stubs on the client's channel, for everything the
    idiomatic layer does not cover (requests and replies are protobuf)."""

    def __init__(self, channel):
        self._channel = channel
        self._stubs = {}

    def _stub(self, module, name):
        if name not in self._stubs:
            self._stubs[name] = getattr(getattr(pb, module), name + "Stub")(self._channel)
        return self._stubs[name]

    @property
    def scoring(self):
        return self._stub("health_scoring_pb2_grpc", "HealthScoring")

    @property
    def history(self):
        return self._stub("history_pb2_grpc", "History")

    @property
    def alerts(self):
        return self._stub("alerts_pb2_grpc", "Alerts")

    @property
    def overrides(self):
        return self._stub("overrides_pb2_grpc", "Overrides")

    @property
    def validation(self):
        return self._stub("validation_pb2_grpc", "Validation")
