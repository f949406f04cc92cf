"""Protobuf messages -> the plain objects of healthscore.types, and back for
timestamps."""

import math
from datetime import date, datetime, timezone

from . import types as t
from ._stubs import pb

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def timestamp(value):
    """A google.protobuf.Timestamp from a datetime (naive = UTC), a date, an
    ISO 8601 string ("2025-12-07", "2025-12-07T10:00:00Z") or epoch seconds."""
    from google.protobuf.timestamp_pb2 import Timestamp

    if value is None:
        return None
    if isinstance(value, Timestamp):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z") or text.endswith("z"):
            text = text[:-1] + "+00:00"
        value = datetime.fromisoformat(text)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        delta = value - _EPOCH
        seconds = delta.days * 86400 + delta.seconds
        return Timestamp(seconds=seconds, nanos=delta.microseconds * 1000)
    if isinstance(value, date):
        return timestamp(datetime(value.year, value.month, value.day, tzinfo=timezone.utc))
    if isinstance(value, (int, float)):
        seconds = math.floor(value)
        return Timestamp(seconds=int(seconds), nanos=int(round((value - seconds) * 1e9)))
    raise TypeError("not a time: %r" % (value,))


def to_datetime(ts, present=True):
    """A UTC datetime, or None when the field is unset."""
    if not present:
        return None
    return datetime.fromtimestamp(ts.seconds, tz=timezone.utc).replace(
        microsecond=ts.nanos // 1000)


def _ts(msg, name):
    return to_datetime(getattr(msg, name), msg.HasField(name))


def _opt(msg, name):
    return getattr(msg, name) if msg.HasField(name) else None


def _enum_name(enum_type, value, prefix):
    try:
        name = enum_type.Name(value)
    except ValueError:
        return str(value)
    return name[len(prefix):] if name.startswith(prefix) else name


def status_name(value):
    return _enum_name(pb.health_scoring_pb2.DimensionStatus, value, "DIMENSION_STATUS_")


def provenance(p):
    return t.Provenance(p.scorecard_name, p.scorecard_version, p.scorecard_hash, list(p.plugins))


def reason(r):
    return t.Reason(r.rule_id, r.signal, r.impact, r.message, _opt(r, "observed"), _opt(r, "threshold"))


def dimension(d):
    return t.Dimension(
        name=d.name, plugin=d.plugin, score=d.score, status=status_name(d.status),
        status_reason=d.status_reason, effective_weight=d.effective_weight,
        contribution=d.contribution, points_lost=d.points_lost, weight=d.weight,
        group=d.group, reasons=[reason(r) for r in d.reasons], actions=list(d.actions))


def driver(d):
    return t.Driver(d.dimension, d.rule_id, d.signal, d.impact, d.message,
                    _opt(d, "observed"), _opt(d, "threshold"), list(d.args))


def gate(g):
    return t.Gate(g.id, g.dimension, g.observed, g.below, g.cap, g.impact, g.message)


def trend(tr):
    return t.Trend(
        has_previous=tr.has_previous, previous_as_of=_ts(tr, "previous_as_of"),
        previous_score=tr.previous_score, change=tr.change,
        windows=[t.TrendWindow(w.days, w.has_data, w.score_then, w.change) for w in tr.windows],
        slope_per_30d=tr.slope_per_30d, consecutive_declines=tr.consecutive_declines)


def override(o):
    return t.Override(o.computed_score, o.computed_band, o.computed_grade, o.score_overridden,
                      o.band_overridden, o.reason, o.author, _ts(o, "set_at"),
                      _ts(o, "expires_at"))


def score(s, unused_signals=()):
    return t.Score(
        customer_id=s.customer_id, segment=s.segment, score=s.score, band=s.band,
        grade=s.grade, coverage=s.coverage, variant=s.variant, as_of=_ts(s, "as_of"),
        dimensions=[dimension(d) for d in s.dimensions],
        drivers_up=[driver(d) for d in s.top_drivers_up],
        drivers_down=[driver(d) for d in s.top_drivers_down],
        actions=[t.Action(a.text, a.source, a.dimension, a.points_at_stake) for a in s.actions],
        warnings=[t.ScoreWarning(w.code, w.message, w.dimension) for w in s.warnings],
        groups=[t.Group(g.name, g.aggregate, g.score, g.has_data, g.weight, g.effective_weight,
                        g.contribution, g.points_lost) for g in s.groups],
        gates=[gate(g) for g in s.gates],
        trend=trend(s.trend) if s.HasField("trend") else None,
        override=override(s.override) if s.HasField("override") else None,
        provenance=provenance(s.provenance) if s.HasField("provenance") else None,
        unused_signals=list(unused_signals))


def history_point(p):
    return t.HistoryPoint(
        customer_id=p.customer_id, segment=p.segment, as_of=_ts(p, "as_of"), score=p.score,
        band=p.band, grade=p.grade, coverage=p.coverage, variant=p.variant,
        dimensions=[t.DimensionPoint(
            d.name, d.plugin, status_name(d.status), d.score, d.weight, d.effective_weight,
            d.contribution,
            [t.FiredRule(r.rule_id, r.signal, r.impact, _opt(r, "observed"), _opt(r, "threshold"))
             for r in d.rules]) for d in p.dimensions],
        gates=[gate(g) for g in p.gates],
        inputs={v.name: v.value for v in p.inputs},
        provenance=provenance(p.provenance) if p.HasField("provenance") else None,
        trend=trend(p.trend) if p.HasField("trend") else None,
        recorded_at=_ts(p, "recorded_at"), rules_error=p.rules_error)


def change(r):
    hist = pb.history_pb2
    return t.Change(
        before=history_point(r.before), after=history_point(r.after), delta=r.delta,
        scorecard_change=r.scorecard_change, data_change=r.data_change,
        gates_change=r.gates_change,
        dimensions=[t.DimensionChange(
            d.dimension, status_name(d.status_before), status_name(d.status_after),
            d.score_before, d.score_after, d.effective_weight_before, d.effective_weight_after,
            d.change, d.from_score, d.from_weight, d.message) for d in r.dimensions],
        signals=[t.SignalChange(s.signal, _opt(s, "before"), _opt(s, "after"), s.points,
                                s.dimension, s.message) for s in r.signals],
        rules=[t.RuleChange(x.dimension, x.rule_id,
                            _enum_name(hist.RuleChange.Kind, x.kind, "KIND_"),
                            x.impact_before, x.impact_after, x.message) for x in r.rules],
        summary=list(r.summary))


def alert(a):
    al = pb.alerts_pb2
    return t.Alert(
        id=a.id, customer_id=a.customer_id, segment=a.segment, rule_id=a.rule_id, kind=a.kind,
        severity=a.severity, state=_enum_name(al.AlertState, a.state, "ALERT_STATE_"),
        message=a.message, action=a.action, opened_at=_ts(a, "opened_at"),
        score_at_open=a.score_at_open, closed_at=_ts(a, "closed_at"),
        acknowledged_by=a.acknowledged_by, resolved_by=a.resolved_by, note=a.note,
        observed=a.observed, explained_from=_ts(a, "explained_from"),
        explanation=change(a.explanation) if a.HasField("explanation") else None)


def alert_event(e):
    al = pb.alerts_pb2
    return t.AlertEvent(cursor=e.cursor, kind=_enum_name(al.AlertEvent.Kind, e.kind, "KIND_"),
                        alert=alert(e.alert), at=_ts(e, "at"))
