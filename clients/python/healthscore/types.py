"""Plain objects for what the service returns: dataclasses, no protobuf.

Numbers are floats, timestamps timezone-aware datetimes (UTC) or None,
enums their short names ("OK", "INSUFFICIENT_DATA", "OPENED", "high"...).
A value the reply did not carry is None (e.g. a driver's observed value,
or what the compact layout leaves out: see Score).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional

import grpc

__all__ = [
    "Provenance", "Reason", "Dimension", "Driver", "Action", "ScoreWarning",
    "Group", "Gate", "TrendWindow", "Trend", "Override", "Score", "RowError",
    "BatchResult", "FiredRule", "DimensionPoint", "HistoryPoint",
    "DimensionChange", "SignalChange", "RuleChange", "Change", "Alert",
    "AlertEvent",
]


@dataclass
class Provenance:
    scorecard_name: str = ""
    scorecard_version: str = ""
    scorecard_hash: str = ""
    plugins: List[str] = field(default_factory=list)


@dataclass
class Reason:
    """One rule that moved a dimension's score (EXPLAIN_FULL)."""
    rule_id: str
    signal: str
    impact: float
    message: str
    observed: Optional[float] = None
    threshold: Optional[float] = None


@dataclass
class Dimension:
    name: str
    plugin: str
    # 0-100; 0 when status is not OK.
    score: float
    # "OK", "INSUFFICIENT_DATA" or "FAILED".
    status: str
    status_reason: str
    effective_weight: float
    contribution: float
    points_lost: float
    # The configured weight and the group: None in the compact layout.
    weight: Optional[float] = None
    group: Optional[str] = None
    # EXPLAIN_FULL only.
    reasons: List[Reason] = field(default_factory=list)
    actions: List[str] = field(default_factory=list)


@dataclass
class Driver:
    """A reason weighed by its dimension's share: points it moved the total."""
    dimension: str
    rule_id: str
    signal: str
    # Points on the total, signed.
    impact: float
    # The sentence ("" when a compact reply without sentences had no template).
    message: str
    observed: Optional[float] = None
    threshold: Optional[float] = None
    args: List[float] = field(default_factory=list)


@dataclass
class Action:
    """What to do; most points at stake first."""
    text: str
    source: str  # "plugin" or "scorecard"
    dimension: str
    points_at_stake: float


@dataclass
class ScoreWarning:
    # "segment_default", "dimension_below", "low_coverage", "stale_data".
    code: str
    message: str
    dimension: str = ""


@dataclass
class Group:
    name: str
    aggregate: str
    score: float
    has_data: bool
    weight: float
    effective_weight: float
    contribution: float
    points_lost: float


@dataclass
class Gate:
    id: str
    dimension: str
    observed: float
    below: float
    cap: float
    impact: float
    message: str


@dataclass
class TrendWindow:
    days: int
    has_data: bool
    score_then: float
    change: float


@dataclass
class Trend:
    has_previous: bool
    previous_as_of: Optional[datetime]
    previous_score: float
    change: float
    windows: List[TrendWindow]
    slope_per_30d: float
    consecutive_declines: int


@dataclass
class Override:
    computed_score: float
    computed_band: str
    computed_grade: str
    score_overridden: bool
    band_overridden: bool
    reason: str
    author: str
    set_at: Optional[datetime]
    expires_at: Optional[datetime]


@dataclass
class Score:
    """A customer's score, from Score or ScoreBatch in either layout.

    The compact batch layout carries less: groups, gates, actions, trend,
    override and each dimension's weight and group are then empty / None
    (ask for layout="full" for those). Segment and as_of are the request's.
    """
    customer_id: str
    segment: str
    score: float
    band: str
    grade: str
    coverage: float
    variant: str
    as_of: Optional[datetime]
    dimensions: List[Dimension] = field(default_factory=list)
    drivers_up: List[Driver] = field(default_factory=list)
    drivers_down: List[Driver] = field(default_factory=list)
    actions: List[Action] = field(default_factory=list)
    warnings: List[ScoreWarning] = field(default_factory=list)
    groups: List[Group] = field(default_factory=list)
    gates: List[Gate] = field(default_factory=list)
    trend: Optional[Trend] = None
    override: Optional[Override] = None
    provenance: Optional[Provenance] = None
    # Score only: signals no dimension of the scorecard reads.
    unused_signals: List[str] = field(default_factory=list)

    def dimension(self, name):
        """The dimension called `name`, or None."""
        for d in self.dimensions:
            if d.name == name:
                return d
        return None

    @property
    def ok(self):
        return True


@dataclass
class RowError:
    """A batch row the server did not score; the other rows were."""
    index: int  # the row's position in what score_batch was given
    customer_id: str
    code: grpc.StatusCode
    message: str

    @property
    def ok(self):
        return False

    def exception(self):
        """This error as the typed exception a single Score would raise."""
        from .errors import error_class
        return error_class(self.code)(self.message, code=self.code)


class BatchResult(list):
    """score_batch's answer: a list with one Score or RowError per input row,
    in order, plus the batch's `unused_signals` and `provenance`."""

    def __init__(self, items=(), unused_signals=(), provenance=None):
        super().__init__(items)
        self.unused_signals = list(unused_signals)
        self.provenance = provenance

    @property
    def scores(self):
        return [r for r in self if isinstance(r, Score)]

    @property
    def errors(self):
        return [r for r in self if isinstance(r, RowError)]


# ---------------------------------------------------------------- history


@dataclass
class FiredRule:
    rule_id: str
    signal: str
    impact: float
    observed: Optional[float] = None
    threshold: Optional[float] = None


@dataclass
class DimensionPoint:
    name: str
    plugin: str
    status: str
    score: float
    weight: float
    effective_weight: float
    contribution: float
    rules: List[FiredRule] = field(default_factory=list)


@dataclass
class HistoryPoint:
    customer_id: str
    segment: str
    as_of: Optional[datetime]
    score: float
    band: str
    grade: str
    coverage: float
    variant: str
    dimensions: List[DimensionPoint] = field(default_factory=list)
    gates: List[Gate] = field(default_factory=list)
    # With full=True: the signals it was scored from.
    inputs: Dict[str, float] = field(default_factory=dict)
    provenance: Optional[Provenance] = None
    trend: Optional[Trend] = None
    recorded_at: Optional[datetime] = None
    rules_error: str = ""


@dataclass
class DimensionChange:
    dimension: str
    status_before: str
    status_after: str
    score_before: float
    score_after: float
    effective_weight_before: float
    effective_weight_after: float
    change: float
    from_score: float
    from_weight: float
    message: str


@dataclass
class SignalChange:
    signal: str
    before: Optional[float]
    after: Optional[float]
    points: float
    dimension: str
    message: str


@dataclass
class RuleChange:
    dimension: str
    rule_id: str
    kind: str  # "FIRED", "CLEARED" or "CHANGED"
    impact_before: float
    impact_after: float
    message: str


@dataclass
class Change:
    """Why a score moved between two points (History.ExplainChange)."""
    before: HistoryPoint
    after: HistoryPoint
    delta: float
    scorecard_change: float
    data_change: float
    gates_change: float
    dimensions: List[DimensionChange] = field(default_factory=list)
    signals: List[SignalChange] = field(default_factory=list)
    rules: List[RuleChange] = field(default_factory=list)
    summary: List[str] = field(default_factory=list)


# ---------------------------------------------------------------- alerts


@dataclass
class Alert:
    id: int
    customer_id: str
    segment: str
    rule_id: str
    kind: str
    severity: str
    state: str  # "OPEN", "ACKNOWLEDGED" or "RESOLVED"
    message: str
    action: str
    opened_at: Optional[datetime]
    score_at_open: float
    closed_at: Optional[datetime]
    acknowledged_by: str
    resolved_by: str
    note: str
    observed: float
    explained_from: Optional[datetime] = None
    explanation: Optional[Change] = None


@dataclass
class AlertEvent:
    cursor: int
    kind: str  # "OPENED", "ACKNOWLEDGED" or "RESOLVED"
    alert: Alert
    at: Optional[datetime]
