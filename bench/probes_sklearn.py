"""Fit scikit-learn's LogisticRegression on the probe benchmark's data.

Run by bench/probes.ts with /usr/bin/python3 (Debian's python3-sklearn).
Reads the training and test .npy files the benchmark wrote, standardises
with StandardScaler, fits LogisticRegression(solver="lbfgs") with the
penalty and stopping rule mapped from Candor's objective, and prints one
JSON object: timings, peak memory, held-out accuracy and AUROC, and Candor's
objective evaluated at both solutions on the same standardised data.

Candor minimises (1/n) sum(loss) + l2/2 |w|^2. scikit-learn 1.2's lbfgs path
minimises sum(loss) + 1/(2C) |w|^2, which is n times Candor's objective when
C = 1/(n * l2), so its gradient tolerance is n times Candor's.
"""

import base64
import json
import resource
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info


def labels_from_index(path):
    labels = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            labels.append(1 if row["label"] == "deceptive" else 0)
    return np.asarray(labels, dtype=np.float64)


def candor_objective(x, y, weights, bias, l2):
    z = x @ weights + bias
    loss = np.logaddexp(0.0, z) - y * z
    return float(loss.mean() + 0.5 * l2 * weights @ weights)


def cpu_seconds():
    """User and system CPU time of this process, summed over its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def decode(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f8")


def main():
    config = json.loads(sys.argv[1])
    n_rows = config["rows"]
    l2 = config["l2"]

    started = time.perf_counter()
    cpu_started = cpu_seconds()
    x = np.load(config["train"]).astype(np.float64)
    y = labels_from_index(config["train_index"])
    loaded = time.perf_counter()
    scaler = StandardScaler(copy=False)
    x = scaler.fit_transform(x)
    scaled = time.perf_counter()
    model = LogisticRegression(
        C=1.0 / (n_rows * l2),
        solver="lbfgs",
        tol=config["gradient_tolerance"] * n_rows,
        max_iter=config["max_iterations"],
    )
    cpu_before_fit = cpu_seconds()
    model.fit(x, y)
    fitted = time.perf_counter()
    cpu_fit = cpu_seconds() - cpu_before_fit

    cpu_total = cpu_seconds() - cpu_started
    weights = model.coef_.ravel()
    bias = float(model.intercept_[0])
    probe = json.load(open(config["probe"], encoding="utf-8"))
    candor_weights = decode(probe["weights"])
    candor_bias = probe["bias"]
    objective_sklearn = candor_objective(x, y, weights, bias, l2)
    objective_candor = candor_objective(x, y, candor_weights, candor_bias, l2)
    cosine = float(weights @ candor_weights / np.linalg.norm(weights) / np.linalg.norm(candor_weights))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del x

    # Each model scores the test rows with its own standardisation.
    x_test = np.load(config["test"]).astype(np.float64)
    y_test = labels_from_index(config["test_index"])
    candor_scores = ((x_test - decode(probe["feature_mean"])) / decode(probe["feature_std"])) @ candor_weights + candor_bias
    scores = scaler.transform(x_test) @ weights + bias

    print(
        json.dumps(
            {
                "sklearn_version": sklearn.__version__,
                "numpy_version": np.__version__,
                "blas": [
                    {key: info.get(key) for key in ("internal_api", "version", "num_threads")}
                    for info in threadpool_info()
                ],
                "seconds_load": loaded - started,
                "seconds_standardise": scaled - loaded,
                "seconds_fit": fitted - scaled,
                "cpu_seconds_fit": cpu_fit,
                "cpu_seconds_total": cpu_total,
                "iterations": int(model.n_iter_[0]),
                "peak_rss_kib": peak_kib,
                "objective_sklearn": objective_sklearn,
                "objective_candor": objective_candor,
                "cosine_between_solutions": cosine,
                "test_accuracy_sklearn": float(np.mean((scores > 0) == (y_test == 1))),
                "test_accuracy_candor": float(np.mean((candor_scores > 0) == (y_test == 1))),
                "test_auroc_sklearn": float(roc_auc_score(y_test, scores)),
                "test_auroc_candor": float(roc_auc_score(y_test, candor_scores)),
            }
        )
    )


if __name__ == "__main__":
    main()
