#!/usr/bin/python3
"""The backtest metrics (server/validation/metrics.h) equal scikit-learn's.

Usage: /usr/bin/python3 sklearn_check.py PATH/TO/metrics_check

Generates fixed datasets (ties, all distinct, 1% churn, 100k points, edge
cases), computes roc_auc_score, average_precision_score and brier_score_loss
with scikit-learn (Debian's python3-sklearn, hence /usr/bin/python3), feeds
each dataset to metrics_check as "risk,label" lines and fails, naming the
dataset, the metric and both values, on any difference above 1e-9. Where
scikit-learn refuses (one class for AUC) metrics_check must refuse too, with
the class counts in its message.
"""

import subprocess
import sys
import warnings

import numpy as np
from sklearn.metrics import (average_precision_score, brier_score_loss,
                             roc_auc_score)

TOLERANCE = 1e-9


def churn(rng, risk, base, signal):
    """Labels drawn with P(churn) = base + signal * risk: a real but noisy link."""
    return (rng.random(risk.size) < base + signal * risk).astype(np.uint8)


def datasets():
    """(name, risk, label) triples; every risk lies in [0, 1] for Brier."""
    rng = np.random.default_rng(20240609)

    yield ("hand_4_points_with_tie", np.array([0.9, 0.8, 0.8, 0.1]),
           np.array([1, 0, 1, 0], dtype=np.uint8))

    risk = np.full(50, 0.3)
    yield "all_tied", risk, churn(rng, risk, 0.3, 0.0)

    yield ("perfect_separation", np.array([0.9, 0.7, 0.6, 0.2, 0.1]),
           np.array([1, 1, 0, 0, 0], dtype=np.uint8))
    yield ("reversed", np.array([0.9, 0.7, 0.6, 0.2, 0.1]),
           np.array([0, 0, 1, 1, 1], dtype=np.uint8))

    # Ties that only exact comparison keeps apart, and -0.0 tied with 0.0.
    risk = np.array([0.0, -0.0, 0.5, np.nextafter(0.5, 1), 0.5, 1e-300, 1.0,
                     1.0, np.nextafter(1.0, 0), 0.0])
    label = np.array([1, 0, 0, 1, 1, 0, 1, 0, 0, 0], dtype=np.uint8)
    yield "exact_ties_and_signed_zero", risk, label

    risk = np.round(rng.random(2000), 2)
    yield "random_with_ties_2k", risk, churn(rng, risk, 0.1, 0.5)

    # Health scores as the engine gives them: integers 0-100, risk 1 - s/100.
    scores = rng.integers(0, 101, 5000)
    risk = 1 - scores / 100
    yield "integer_scores_5k", risk, churn(rng, risk, 0.05, 0.4)

    risk = rng.random(10000)
    assert np.unique(risk).size == risk.size
    yield "all_distinct_10k", risk, churn(rng, risk, 0.0, 0.6)

    risk = rng.beta(2, 5, 50000)
    label = churn(rng, risk, 0.0, 0.035)
    assert 0.005 < label.mean() < 0.02, label.mean()
    yield "imbalance_1pct_50k", risk, label

    risk = np.round(rng.beta(2, 3, 100000), 3)
    yield "large_100k_with_ties", risk, churn(rng, risk, 0.02, 0.3)

    risk = rng.random(100000)
    yield "large_100k_distinct", risk, churn(rng, risk, 0.1, 0.2)

    risk = np.round(rng.random(30), 1)
    yield "one_class_retained", risk, np.zeros(30, dtype=np.uint8)
    yield "one_class_churned", risk, np.ones(30, dtype=np.uint8)


def sklearn_metrics(risk, label):
    """Metric name -> value, or None where scikit-learn refuses."""
    result = {}
    churned, retained = int(label.sum()), int(label.size - label.sum())
    result["auc"] = (roc_auc_score(label, risk)
                     if churned and retained else None)
    # With no churned point scikit-learn warns and returns 0; metrics.h
    # refuses instead (documented), so expect a refusal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result["average_precision"] = (average_precision_score(label, risk)
                                       if churned else None)
    result["brier"] = brier_score_loss(label, risk)
    return result, churned, retained


def run_check(binary, risk, label):
    """metrics_check's answers: name -> float, or the error message string."""
    lines = "".join(f"{r!r},{l}\n" for r, l in zip(risk.tolist(),
                                                     label.tolist()))
    proc = subprocess.run([binary], input=lines, capture_output=True,
                          text=True, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"metrics_check exited {proc.returncode}: "
                           f"{proc.stderr.strip()}")
    answers = {}
    for line in proc.stdout.splitlines():
        name, rest = line.split(" ", 1)
        if rest.startswith("error "):
            answers[name] = rest[len("error "):]
        else:
            answers[name] = float(rest)
    any_error = any(isinstance(v, str) for v in answers.values())
    if any_error != (proc.returncode == 1):
        raise RuntimeError(f"metrics_check exited {proc.returncode} but "
                           f"printed {answers}")
    return answers


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    failures = []
    for name, risk, label in datasets():
        want, churned, retained = sklearn_metrics(risk, label)
        got = run_check(binary, risk, label)
        counts = f"{churned} churned and {retained} retained"
        for metric, expected in want.items():
            actual = got.get(metric)
            if expected is None:
                ok = isinstance(actual, str) and counts in actual
                detail = (f"want a refusal naming '{counts}', "
                          f"got {actual!r}")
            else:
                ok = (isinstance(actual, float) and
                      abs(actual - expected) <= TOLERANCE)
                diff = (abs(actual - expected)
                        if isinstance(actual, float) else float("nan"))
                detail = (f"metrics_check {actual!r}, scikit-learn "
                          f"{expected!r}, difference {diff:.3g}")
            status = "ok  " if ok else "FAIL"
            print(f"{status} {name} ({risk.size} points, {counts}) "
                  f"{metric}: {detail}")
            if not ok:
                failures.append(f"{name} {metric}: {detail}")
    if failures:
        print(f"\n{len(failures)} difference(s) from scikit-learn above "
              f"{TOLERANCE}:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        sys.exit(1)
    print("all metrics equal scikit-learn's within", TOLERANCE)


if __name__ == "__main__":
    main()
