"""Reading a compact ScoreBatch reply (LAYOUT_COMPACT, CompactScores) into
the same objects as the full layout: a port of the C++ CLI's decoder
(clients/cli/compact.cc).

The compact layout sends names once per batch (dimensions, plugins, variants,
bands, and the rules drivers name, with their sentence templates) and numbers
per customer. Without `sentences`, driver sentences are formatted here from
the rules' templates, as the server would (healthscore._wording). It carries
what EXPLAIN_NONE and EXPLAIN_SUMMARY carry, less groups, gates, actions,
trends and overrides, and each dimension's configured weight and group: those
are empty / None in the decoded Score.
"""

import math

import grpc

from . import types as t
from ._wording import RuleWording
from .errors import CompactDecodeError, status_code

ARGS = 4  # HS_MAX_ARGS: arguments per driver


def _mismatch(array, size, expected):
    return CompactDecodeError("compact reply: %s has %d entries; expected %d"
                              % (array, size, expected), code=grpc.StatusCode.DATA_LOSS)


def decode(response, segments=None, as_of=None, first_index=0):
    """One Score or RowError per row of `response.compact`, in request order.

    `segments` (one per row) and `as_of` are the request's, which the compact
    layout does not echo; `first_index` numbers the rows' RowError.index.
    Raises CompactDecodeError when the arrays do not fit together.
    """
    from ._convert import provenance as convert_provenance, status_name

    c = response.compact
    rows = len(c.customer_ids)
    dims = len(c.dimensions)
    for name in ("score", "band", "variant", "coverage", "drivers_up", "drivers_down"):
        if len(getattr(c, name)) != rows:
            raise _mismatch(name, len(getattr(c, name)), rows)
    for name in ("dimension_score", "dimension_status", "effective_weight"):
        if len(getattr(c, name)) != rows * dims:
            raise _mismatch(name, len(getattr(c, name)), rows * dims)
    if len(c.plugins) != dims:
        raise _mismatch("plugins", len(c.plugins), dims)
    drivers_up = list(c.drivers_up)
    drivers_down = list(c.drivers_down)
    drivers = sum(drivers_up) + sum(drivers_down)
    for name in ("driver_rule", "driver_impact", "driver_observed", "driver_threshold"):
        if len(getattr(c, name)) != drivers:
            raise _mismatch(name, len(getattr(c, name)), drivers)
    if len(c.driver_args) != drivers * ARGS:
        raise _mismatch("driver_args", len(c.driver_args), drivers * ARGS)
    sentences = len(c.driver_message) > 0
    if sentences and len(c.driver_message) != drivers:
        raise _mismatch("driver_message", len(c.driver_message), drivers)

    names = list(c.dimensions)
    plugins = list(c.plugins)
    statuses = [status_name(s) for s in c.dimension_status]
    dim_score = list(c.dimension_score)
    eff = list(c.effective_weight)
    bands = [(b.name, b.grade) for b in c.bands]
    variants = list(c.variants)
    rules = list(c.rules)
    for rule in rules:
        if rule.dimension >= dims:
            raise CompactDecodeError("compact reply: rule %s names dimension %d of %d"
                                     % (rule.rule_id, rule.dimension, dims),
                                     code=grpc.StatusCode.DATA_LOSS)
    wordings = [None if sentences else
                RuleWording(r.rule_id, r.unit, r.raises, r.lowers, r.text, list(r.args))
                for r in rules]
    rule_rows = [(names[r.dimension] if r.dimension >= 0 else "", r.rule_id, r.signal,
                  len(r.args), r.rule_id.startswith("gate:"), r.text) for r in rules]
    impact = list(c.driver_impact)
    observed_all = list(c.driver_observed)
    threshold_all = list(c.driver_threshold)
    args_all = list(c.driver_args)
    rule_of = list(c.driver_rule)
    messages = list(c.driver_message)
    prov = convert_provenance(response.provenance) if response.HasField("provenance") else None

    results = [None] * rows
    errors = {}
    nxt = 0
    for i in range(rows):
        cid = c.customer_ids[i]
        value = c.score[i]
        if math.isnan(value):  # its error is among the notes
            nxt += drivers_up[i] + drivers_down[i]
            continue
        if c.band[i] >= len(bands) or c.variant[i] >= len(variants):
            raise CompactDecodeError(
                "compact reply: row %d names band %d of %d or variant %d of %d"
                % (i, c.band[i], len(bands), c.variant[i], len(variants)),
                code=grpc.StatusCode.DATA_LOSS)
        band, grade = bands[c.band[i]]
        dimensions = []
        for d in range(dims):
            k = i * dims + d
            status = statuses[k]
            share = eff[k]
            if status == "OK":
                s = dim_score[k]
                dimensions.append(t.Dimension(
                    name=names[d], plugin=plugins[d], score=s, status=status, status_reason="",
                    effective_weight=share, contribution=share * s,
                    points_lost=share * (100 - s)))
            else:
                dimensions.append(t.Dimension(
                    name=names[d], plugin=plugins[d], score=0.0, status=status,
                    status_reason="", effective_weight=share, contribution=0.0,
                    points_lost=0.0))
        up, down = [], []
        for n in range(drivers_up[i] + drivers_down[i]):
            k = nxt
            nxt += 1
            r = rule_of[k]
            if r >= len(rules):
                raise CompactDecodeError("compact reply: driver %d names rule %d of %d"
                                         % (k, r, len(rules)), code=grpc.StatusCode.DATA_LOSS)
            dim_name, rule_id, signal, nargs, is_gate, gate_text = rule_rows[r]
            observed = observed_all[k]
            threshold = threshold_all[k]
            args4 = args_all[k * ARGS:(k + 1) * ARGS]
            if sentences:
                message = messages[k]
            elif is_gate:
                message = gate_text  # a gate's message, as written
            elif wordings[r].ok:
                message = wordings[r].for_impact(impact[k]).render(observed, threshold, args4)
            else:
                message = ""
            driver = t.Driver(
                dimension=dim_name, rule_id=rule_id, signal=signal, impact=impact[k],
                message=message,
                observed=None if math.isnan(observed) else observed,
                threshold=None if math.isnan(threshold) else threshold,
                args=args4[:min(nargs, ARGS)])
            (up if n < drivers_up[i] else down).append(driver)
        results[i] = t.Score(
            customer_id=cid, segment=segments[i] if segments else "", score=value, band=band,
            grade=grade, coverage=c.coverage[i], variant=variants[c.variant[i]], as_of=as_of,
            dimensions=dimensions, drivers_up=up, drivers_down=down, provenance=prov)

    for note in c.notes:
        if note.row >= rows:
            raise CompactDecodeError("compact reply: a note for row %d of %d" % (note.row, rows),
                                     code=grpc.StatusCode.DATA_LOSS)
        target = results[note.row]
        if note.kind == 1:  # KIND_ERROR
            code = status_code(note.code) if note.code else grpc.StatusCode.UNKNOWN
            errors[note.row] = t.RowError(first_index + note.row, c.customer_ids[note.row],
                                          code, note.message)
        elif note.kind == 2:  # KIND_STATUS
            if target is not None and 0 <= note.dimension < len(target.dimensions):
                target.dimensions[note.dimension].status_reason = note.message
        elif note.kind == 3:  # KIND_WARNING
            if target is not None:
                target.warnings.append(t.ScoreWarning(
                    note.code, note.message,
                    names[note.dimension] if 0 <= note.dimension < dims else ""))
    for i in range(rows):
        if results[i] is None:
            results[i] = errors.get(i) or t.RowError(
                first_index + i, c.customer_ids[i], grpc.StatusCode.UNKNOWN,
                "compact reply: row %d has no score and no error" % i)
    return results
