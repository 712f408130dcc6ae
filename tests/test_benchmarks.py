"""The benchmarks under bench/ run end to end and print what the closing notes quote.

Speed itself is never asserted here (a busy CI machine would make that a coin toss); these
only keep the scripts from rotting: each one starts what it measures, drives it, and prints
its figures, with no failed request along the way.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared_datasets import ABSENT_REASON, DATASETS

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, timeout: int = 180) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_throughput_bench_serves_both_apps_and_prints_their_ratio():
    out = _run("bench/throughput.py", "--workers", "1", "--seconds", "1", "--connections", "2")
    rows = {match[0]: match[1:] for match in
            re.findall(r"^(bare|hakam)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$", out, re.M)}
    assert set(rows) == {"bare", "hakam"}, out
    for name, (rps, _p50, _p99, errors) in rows.items():
        assert int(rps) > 0, f"{name} answered nothing: {out}"
        assert errors == "0", f"{name} had failed requests: {out}"
    ratio = float(re.search(r"ratio hakam/bare \(req/s\): ([\d.]+)", out).group(1))
    # the printed rates are rounded to whole requests, hence the tolerance
    assert abs(ratio - int(rows["hakam"][0]) / int(rows["bare"][0])) <= 0.02 * ratio + 0.002


def test_throughput_bench_cluster_mode_compares_cluster_with_and_without_acks_to_one_redis():
    out = _run("bench/throughput.py", "--cluster", "--workers", "1", "--seconds", "1",
               "--connections", "2", "--calls", "50")
    rows = {match[0]: match[1:] for match in re.findall(
        r"^(single|cluster|cluster\+acks)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+(\d+)\s+[\d.]+\s+(\d+)$",
        out, re.M)}
    assert set(rows) == {"single", "cluster", "cluster+acks"}, out
    for name, (rps, errors, intake_us) in rows.items():
        assert int(rps) > 0 and int(intake_us) > 0, f"{name} measured nothing: {out}"
        assert errors == "0", f"{name} had failed requests: {out}"
    for ratio in ("cluster/single", "cluster+acks/single", "cluster+acks/cluster"):
        assert re.search(rf"ratio {re.escape(ratio)} \(req/s\): [\d.]+", out), out
    assert re.search(r"WAIT per request: -?\d+ µs on the intake call alone, -?[\d.]+ ms", out), out


def test_score_latency_bench_compares_the_compiled_scorer_with_scikit_learn():
    out = _run("bench/score_latency.py", "--comments", "40", "--rounds", "1",
               "--data", str(ROOT / "no-datasets-here"))
    assert re.search(r"compiled scorer\s+p50\s+[\d.]+ µs", out), out
    assert re.search(r"scikit-learn pipeline p50\s+[\d.]+ µs", out), out
    assert re.search(r"ratio \(scikit-learn / compiled\): p50 [\d.]+x", out), out


def test_hostile_comments_bench_prints_each_familys_growth_and_the_slowest():
    out = _run("bench/hostile_comments.py", "--rounds", "1", "--families", "3")
    assert re.search(r"an ordinary comment at the limit: [\d.]+ ms", out), out
    rows = re.findall(r"^(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", out, re.M)
    assert len(rows) == 3, out
    assert re.search(r"^slowest: .+, [\d.]+ ms, [\d.]+x an ordinary comment$", out, re.M), out


def test_perspective_bench_compares_analyze_with_post_v1_comments_on_one_server():
    out = _run("bench/perspective_throughput.py", "--workers", "1", "--seconds", "1",
               "--connections", "2")
    rows = {match[0]: match[1:] for match in
            re.findall(r"^(comments|analyze)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$", out, re.M)}
    assert set(rows) == {"comments", "analyze"}, out
    for name, (rps, _p50, _p99, errors) in rows.items():
        assert int(rps) > 0, f"{name} answered nothing: {out}"
        assert errors == "0", f"{name} had failed requests: {out}"
    ratio = float(re.search(r"ratio analyze/comments \(req/s\): ([\d.]+)", out).group(1))
    assert abs(ratio - int(rows["analyze"][0]) / int(rows["comments"][0])) <= 0.02 * ratio + 0.002
    assert re.search(r"default quota of 1 request/s: \d+x", out), out


def test_reader_erasure_bench_compares_indexed_erasure_with_a_keyspace_scan():
    out = _run("bench/reader_erasure.py", "--others", "200", "--reader-comments", "1,20",
               "--rounds", "1")
    rows = re.findall(r"^\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x$", out, re.M)
    assert [row[0] for row in rows] == ["1", "20"], out
    assert all(float(erase) > 0 and float(scan) > 0 for _n, erase, scan, _ratio in rows), out


def test_adapter_latency_bench_times_the_scorer_with_and_without_a_site():
    out = _run("bench/adapter_latency.py", "--comments", "40", "--rounds", "1", "--labels",
               "200", "--data", str(ROOT / "no-datasets-here"))
    for name in ("shipped", "adapted", "shipped explained", "adapted explained"):
        assert re.search(rf"^{name}\s+p50\s+[\d.]+ µs", out, re.M), out
    assert re.search(r"ratio adapted / shipped: p50 [\d.]+; explaining both heads: p50 [\d.]+",
                     out), out
    assert re.search(r"[\d.]+ MB per site per worker", out), out


@pytest.mark.skipif(not DATASETS.is_dir(), reason=ABSENT_REASON)
def test_site_replay_bench_streams_decisions_fits_and_tests_through_the_api():
    out = _run("bench/site_replay.py", "--source", "maghrebi", "--labels", "40", "--test",
               "100", "--data", str(DATASETS), timeout=300)
    assert re.search(r"^\s+40 labels \(\d+ comments streamed\): (ACTIVE|refused)", out, re.M), out
    assert re.search(r"test ROC-AUC [\d.]+ -> [\d.]+; clean held at the recall target", out), out
    assert re.search(r"update: fit [\d.]+ s, whole command [\d.]+ s", out), out


def test_campaign_grouping_bench_times_intake_with_grouping_on_and_off():
    out = _run("bench/campaign_grouping.py", "--comments", "20", "--rounds", "1")
    assert re.search(r"^grouping off median\s+\d+ µs/comment", out, re.M), out
    assert re.search(r"^grouping on  median\s+\d+ µs/comment", out, re.M), out
    assert re.search(r"ratio on / off: [\d.]+", out), out


def test_campaign_replay_bench_decides_the_whole_queue_and_counts_actions():
    out = _run("bench/campaign_replay.py", "--ordinary", "30")
    campaign = re.search(r"^campaign\s+(\d+) actions decided\s+(\d+) comments", out, re.M)
    assert campaign and int(campaign[2]) == 100, out
    assert int(campaign[1]) < 100  # a campaign is decided in fewer actions than comments


def test_author_check_bench_compares_intake_with_and_without_the_authors_record():
    out = _run("bench/author_check.py", "--comments", "20", "--rounds", "1")
    for name in ("off", "on"):
        assert re.search(rf"author check {name}\s+median\s+\d+ µs/comment, Redis round trips "
                         r"per comment [\d.]+", out), out
    assert re.search(r"the author check costs -?\d+ µs per comment; ratio on / off: [\d.]+", out)
