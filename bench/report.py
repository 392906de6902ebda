"""Render the results files of bench/run.py into docs/benchmarks.md (between its markers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAGE_TARGET_MS, SEARCH_TARGET_MS, FLAT_RATIO, MAX_QUERIES, DIGEST_S, RSS_MB = 50, 100, 1.5, 12, 10, 200


def _load(data: Path) -> dict[str, dict[str, Any]]:
    return {path.stem.removeprefix("results-"): json.loads(path.read_text())
            for path in sorted(data.glob("results-*.json"))}  # fmt: skip


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}×" if base else "–"


def _is_search(name: str) -> bool:
    return "earch" in name


def _cell(result: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    return (result or {}).get("endpoints", {}).get(name)


def _engine_table(engine: str, results: dict[str, dict[str, Any]]) -> list[str]:
    runs = {scale: results.get(f"{engine}-{scale}") for scale in ("small", "medium", "large")}
    present = [r for r in (runs["large"], runs["medium"], runs["small"]) if r]
    if not present:
        return [f"No results yet for {engine}.", ""]
    base = present[0]["hello"]
    lines = [
        f"Bare Flask hello in the same run: client p50 {base['p50']} ms, p95 {base['p95']} ms, "
        f"{base['rps']} requests/s.",
        "",
        f"| {engine}: page or API list | app p50 / p95 (ms): small · medium · large | large ÷ medium p50 "
        "| large SQL p50 (ms) | large client p95 (ms) | ÷ hello p95 | large req/s (÷ hello) "
        "| SQL statements small · medium · large | KB small · medium · large |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in present[0]["endpoints"]:
        cells = {scale: _cell(run, name) for scale, run in runs.items()}
        x, m = cells["large"], cells["medium"]
        times = " · ".join(f"{c['app_p50']} / {c['app_p95']}" if c else "–" for c in cells.values())
        queries = " · ".join(_q(c) for c in cells.values())
        sizes = " · ".join(f"{c['bytes'] / 1024:.0f}" if c and "bytes" in c else "–" for c in cells.values())
        if not x:
            lines.append(f"| {name} | {times} | – | – | – | – | – | {queries} | {sizes} |")
            continue
        flat = _ratio(x["app_p50"], m["app_p50"]) if m else "–"
        lines.append(
            f"| {name} | {times} | {flat} | {x.get('sql_p50', '–')} | {x['p95']} | {_ratio(x['p95'], base['p95'])} "
            f"| {x['rps']} ({x['rps'] / base['rps']:.1%}) | {queries} | {sizes} |"
        )
    lines.append("")
    return lines


def _q(result: dict[str, Any] | None) -> str:
    if not result:
        return "–"
    statuses = "" if result["statuses"] == [200] else f" (HTTP {result['statuses']})"
    return ",".join(str(q) for q in result["queries"]) + statuses


def _targets(engine: str, results: dict[str, dict[str, Any]]) -> list[str]:
    small, medium, large = (results.get(f"{engine}-{scale}") for scale in ("small", "medium", "large"))
    if not large:
        return []
    pages = {k: v for k, v in large["endpoints"].items() if not _is_search(k)}
    searches = {k: v for k, v in large["endpoints"].items() if _is_search(k)}
    slow = [f"{k} ({v['app_p95']} ms)" for k, v in pages.items() if v["app_p95"] > PAGE_TARGET_MS]
    slow_search = [f"{k} ({v['app_p95']} ms)" for k, v in searches.items() if v["app_p95"] > SEARCH_TARGET_MS]
    growth, queries = [], []
    for name, x in large["endpoints"].items():
        m = _cell(medium, name)
        if m and m["app_p50"] and x["app_p50"] > FLAT_RATIO * m["app_p50"] and not _is_search(name):
            growth.append(f"{name} ({x['app_p50'] / m['app_p50']:.1f}×)")
        counts = [c["queries"] for c in (_cell(small, name), m, x) if c]
        if any(c != x["queries"] for c in counts) or max(x["queries"]) > MAX_QUERIES:
            queries.append(f"{name} ({' → '.join(_q(c) for c in (_cell(small, name), m, x) if c)})")
    rss = max(large.get("worker_rss_mb") or [0])
    digest = large["digest"]["seconds"]

    def verdict(failures: list[str]) -> str:
        return "**met**" if not failures else "**not met**: " + "; ".join(failures)

    return [
        f"| {engine} target (large scale) | result |",
        "|---|---|",
        f"| p95 ≤ {PAGE_TARGET_MS} ms, every key page and API list (app time) | {verdict(slow)} |",
        f"| search p95 ≤ {SEARCH_TARGET_MS} ms | {verdict(slow_search)} |",
        f"| p50 at large ≤ {FLAT_RATIO} × p50 at medium (the same pages, 1/100 of the data; search excepted) "
        f"| {verdict(growth) if medium else '**not measured**'} |",
        f"| same SQL statements per page at every scale, ≤ {MAX_QUERIES} | {verdict(queries)} |",
        f"| daily digest for {large['digest']['active_users']} users ≤ {DIGEST_S} s | "
        f"{'**met**' if digest <= DIGEST_S else '**not met**'}: {digest} s |",
        f"| worker RSS ≤ {RSS_MB} MB | {'**met**' if rss <= RSS_MB else '**not met**'}: "
        f"{', '.join(str(r) for r in large.get('worker_rss_mb') or [])} MB |",
        "",
    ]


def _runs(results: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| run | date (UTC) | load average before → after | data generation |", "|---|---|---|---|"]
    for name, result in results.items():
        generation = result.get("generation_seconds")
        load = result.get("generation_load") or ["?", "?"]
        generated = f"{generation / 60:.1f} min (load {load[0]} → {load[1]})" if generation else "–"
        lines.append(f"| {name} | {result['date']} | {result['load_before']} → {result['load_after']} | {generated} |")
    return [*lines, ""]


def render(data: Path, docs: Path, start: str, end: str, machine: dict[str, str]) -> None:
    results = _load(data)
    body = [
        start,
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']} memory, Linux {machine['kernel']}, "
        f"Python {machine['python']}, SQLite {machine['sqlite']}, PostgreSQL {machine['postgresql']}.",
        "",
        *_runs(results),
    ]
    for engine in ("sqlite", "postgresql"):
        body += [f"### {engine}", "", *_targets(engine, results), *_engine_table(engine, results)]
    body.append(end)
    text = docs.read_text() if docs.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    docs.write_text(before + "\n".join(body) + after)
