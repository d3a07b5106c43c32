"""halo's Prometheus text, read by a real parser.

The parser is the reference Python client's (Debian's python3-prometheus-client, which
scripts/setup installs). `promtool check metrics` ships only inside Debian's `prometheus`
server package, which the project does not install; where a promtool is on PATH anyway, it
checks the text too (its lint: naming, units, HELP). The text comes from tests/tools/metrics_sample.cc
(`halo_metrics_sample`): prometheus_text() of a rich hand-made snapshot. No namespace, no
daemon, no root.

  HALO_METRICS_SAMPLE=PATH   the helper (ctest sets it); else HALO_BUILD_DIR/tests/...,
                             then build/debug/tests/... and build/tests/... in the repository
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import helpers

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # pragma: no cover - reported by the fixture below
    text_string_to_metric_families = None

NAME = re.compile(r"^halo_[a-z0-9_]+$")
# Labels halo may use; `instance` and `job` belong to the scraper.
ALLOWED_LABELS = {"instance_name", "interface", "vrid", "family", "state", "reason", "kind",
                  "name", "version", "result", "backend", "virtual_server", "real_server",
                  "check"}


def sample_binary() -> Path:
    candidates = []
    if os.environ.get("HALO_METRICS_SAMPLE"):
        candidates.append(Path(os.environ["HALO_METRICS_SAMPLE"]))
    if os.environ.get("HALO_BUILD_DIR"):
        candidates.append(Path(os.environ["HALO_BUILD_DIR"]) / "tests" / "halo_metrics_sample")
    candidates += [helpers.REPO_ROOT / "build" / "debug" / "tests" / "halo_metrics_sample",
                   helpers.REPO_ROOT / "build" / "tests" / "halo_metrics_sample"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    helpers.skip_or_fail("halo_metrics_sample not found at "
                         f"{', '.join(map(str, candidates))}; build it or set HALO_METRICS_SAMPLE")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def text() -> str:
    if text_string_to_metric_families is None:
        helpers.skip_or_fail("python3-prometheus-client is not installed "
                             "(run with Debian's /usr/bin/python3)")
    out = subprocess.run([str(sample_binary())], check=True, capture_output=True, timeout=30)
    return out.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def families(text):
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_every_line_is_help_type_or_sample(text):
    assert text.endswith("\n")
    seen_help, seen_type = set(), set()
    for line in text.splitlines():
        assert line, "no empty lines"
        if line.startswith("# HELP "):
            name = line.split()[2]
            assert name not in seen_help, f"two HELP lines for {name}"
            seen_help.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            assert name not in seen_type, f"two TYPE lines for {name}"
            assert kind in ("counter", "gauge")
            seen_type.add(name)
        else:
            assert not line.startswith("#"), line
    assert seen_help == seen_type


def test_names_types_and_counters(families):
    # The parser strips `_total` from a counter family's name and keeps it on its samples.
    assert families, "nothing parsed"
    for name, family in families.items():
        assert NAME.match(name), name
        assert family.type in ("counter", "gauge"), (name, family.type)
        assert family.documentation, f"{name} has no HELP"
        assert family.samples, f"{name} has no samples"
        for sample in family.samples:
            if family.type == "counter":
                assert sample.name == name + "_total", sample.name
                assert sample.value >= 0 and sample.value == int(sample.value), sample
            else:
                assert sample.name == name, sample.name
                assert not sample.name.endswith("_total"), sample.name


def test_expected_families_are_there(families):
    gauges = {"halo_build_info", "halo_start_time_seconds", "halo_uptime_seconds",
              "halo_last_reload_success", "halo_vrrp_state", "halo_vrrp_priority",
              "halo_vrrp_effective_priority", "halo_vrrp_split_brain", "halo_tracker_up",
              "halo_vrrp_instance_info", "halo_control_connections", "halo_lb_backend_info",
              "halo_virtual_server_quorum_up", "halo_virtual_server_quorum",
              "halo_virtual_server_alive_weight", "halo_virtual_server_sorry_server_active",
              "halo_real_server_alive", "halo_real_server_in_pool", "halo_real_server_weight",
              "halo_real_server_effective_weight", "halo_check_up", "halo_check_enabled",
              "halo_check_last_exit_code"}
    counters = {"halo_reloads", "halo_vrrp_transitions", "halo_vrrp_adverts_sent",
                "halo_vrrp_adverts_received", "halo_vrrp_split_brain_episodes",
                "halo_vrrp_became_master", "halo_vrrp_priority_zero_sent",
                "halo_vrrp_priority_zero_received", "halo_vrrp_packets_rejected",
                "halo_tracker_transitions", "halo_control_evictions",
                "halo_control_busy_refusals", "halo_control_timeouts",
                "halo_control_followers_dropped", "halo_events_published",
                "halo_metrics_scrapes", "halo_check_attempts", "halo_check_failures",
                "halo_check_timeouts", "halo_check_transitions"}
    for name in gauges:
        assert families[name].type == "gauge", name
    for name in counters:
        assert families[name].type == "counter", name


def test_label_sets_and_no_duplicate_series(families):
    series = set()
    for family in families.values():
        keys = None
        for sample in family.samples:
            assert set(sample.labels) <= ALLOWED_LABELS, (sample.name, sample.labels)
            if keys is None:
                keys = set(sample.labels)
            assert set(sample.labels) == keys, f"{sample.name}: label sets differ"
            identity = (sample.name, tuple(sorted(sample.labels.items())))
            assert identity not in series, f"duplicate series {identity}"
            series.add(identity)


def test_values_and_escaped_labels_survive_the_round_trip(families):
    state = {(s.labels["instance_name"], s.labels["state"]): s.value
             for s in families["halo_vrrp_state"].samples}
    odd = 'VI "six"\\new\nline'
    assert state[("VI_1", "MASTER")] == 1 and state[("VI_1", "BACKUP")] == 0
    assert state[(odd, "BACKUP")] == 1
    assert sum(v for (name, _), v in state.items() if name == odd) == 1
    rejected = {(s.labels["instance_name"], s.labels["reason"]): s.value
                for s in families["halo_vrrp_packets_rejected"].samples}
    assert rejected[("VI_1", "bad_ttl")] == 2 and rejected[(odd, "auth_failure")] == 4
    reloads = {s.labels["result"]: s.value for s in families["halo_reloads"].samples}
    assert reloads == {"success": 3, "failure": 1}
    assert families["halo_uptime_seconds"].samples[0].value == 100
    up = {(s.labels["kind"], s.labels["name"]): s.value for s in families["halo_tracker_up"].samples}
    assert up == {("script", "chk"): 1, ("process", "nginx"): 0, ("file", "/run/weight"): 1,
                  ("script", "slow"): 0}


def test_load_balancer_series(families):
    def by(name, *keys):
        return {tuple(s.labels[k] for k in keys): s.value for s in families[name].samples}

    odd = 'group "odd"\\vs'
    assert by("halo_lb_backend_info", "backend") == {("nftables",): 1}
    assert by("halo_virtual_server_quorum_up", "virtual_server") == {
        ("[192.0.2.10]:tcp:80",): 1, (odd,): 0}
    assert by("halo_virtual_server_sorry_server_active", "virtual_server")[(odd,)] == 1
    assert by("halo_real_server_effective_weight", "virtual_server", "real_server") == {
        ("[192.0.2.10]:tcp:80", "[198.51.100.11]:tcp:80"): 3,
        ("[192.0.2.10]:tcp:80", "[198.51.100.12]:tcp:80"): 1,
        (odd, "[2001:db8::12]:tcp:80"): 1}
    # Only MISC_CHECKs have an exit code (L2: the last one, whatever it was).
    assert by("halo_check_last_exit_code", "check", "kind") == {
        ("web/b/1", "MISC_CHECK"): 2, ("odd/c/1", "MISC_CHECK"): 1}
    assert by("halo_check_enabled", "check")[("web/a/1",)] == 0
    assert by("halo_check_failures", "check") == {("web/a/1",): 0, ("web/b/1",): 5,
                                                  ("odd/c/1",): 5}


def test_promtool_if_installed(text):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian ships it in the `prometheus` package)")
    out = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True,
                         timeout=30)
    assert out.returncode == 0, out.stdout.decode() + out.stderr.decode()
