"""Prometheus metrics, safe with several worker processes (prometheus-client's multiprocess mode).

``serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder before the workers start; each
worker writes its own files there and ``/metrics`` collects them all.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess

REQUESTS = Counter("approval_rules_requests_total", "HTTP requests by route and status", ["route", "status"])
LATENCY = Histogram("approval_rules_request_seconds", "Request latency by route", ["route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
DECISIONS = Counter("approval_rules_decisions_total", "Decisions served by outcome", ["decision"])
LOG_WRITE = Histogram("approval_rules_log_write_seconds", "Decision log write (commit) latency",
                      buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2))
LOG_FAILURES = Counter("approval_rules_log_failures_total", "Decisions refused because the log could not be written")
BUNDLES = Counter("approval_rules_bundle_activations_total", "Bundle uploads and activations by result", ["result"])


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus-client leaves it unannotated
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
