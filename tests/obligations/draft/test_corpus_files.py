"""The drafter's corpus (tests/obligations/draft/corpus/) is well formed: every expected order
file loads and its hand-worked checks hold, every quoted `text` and `source_text` is an exact
substring of the order's published text, and every file names its public source.

These tests check the corpus, not the drafter: bench/drafting.py scores the drafter against it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from obligations.checks import run_checks
from obligations.orderfile import load_order

CORPUS = Path(__file__).resolve().parent / "corpus"
ORDERS = sorted(CORPUS.glob("*.toml"))
#: The two example orders: their excerpts are the project's own (shared/orders/), published
#: without a web address, so their `# source:` line names the excerpt file instead.
EXAMPLES = {"caed-2013-11-12", "njd-2013-07-02"}
#: What the issue asks of the whole corpus, once both halves (federal district courts; bankruptcy,
#: appellate and state courts) have landed.
WANTED_ORDERS = 40
WANTED_COURTS = 20
OTHER_COURTS = "Bankruptcy, appellate and state courts"
NAME = re.compile(r"[a-z0-9]+-\d{4}-\d{2}-\d{2}(-\d+)?")


def _comments(path: Path) -> dict[str, str]:
    """The `# key: value` lines at the top of a corpus file (before the first non-comment)."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*(source|court|kind):\s*(.+)", line)
        if m and m.group(1) not in found:
            found[m.group(1)] = m.group(2).strip()
    return found


def _section(readme: str, heading: str) -> list[str]:
    """The order ids listed in one section of the README's tables."""
    part = readme.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(
        r"^\|\s*`?([a-z0-9]+-\d{4}-\d{2}-\d{2}(?:-\d+)?)`?\s*\|", part, flags=re.MULTILINE
    )


def test_the_corpus_is_there() -> None:
    assert {p.stem for p in ORDERS} >= EXAMPLES
    for path in ORDERS:
        assert NAME.fullmatch(path.stem), path.name
        assert path.with_suffix(".txt").is_file(), f"{path.name}: no {path.stem}.txt"
    for text in CORPUS.glob("*.txt"):
        assert text.with_suffix(".toml").is_file(), f"{text.name}: no {text.stem}.toml"


@pytest.mark.parametrize("path", ORDERS, ids=[p.stem for p in ORDERS])
def test_each_expected_file_loads_and_its_checks_hold(path: Path) -> None:
    order = load_order(path)
    assert order.id == path.stem
    assert order.obligations, path.name
    results = run_checks([order])
    assert results, f"{path.name}: no [[check]] worked by hand"
    assert [r.failures for r in results if not r.ok] == []


@pytest.mark.parametrize("path", ORDERS, ids=[p.stem for p in ORDERS])
def test_each_quote_is_an_exact_substring_of_the_published_text(path: Path) -> None:
    published = path.with_suffix(".txt").read_text(encoding="utf-8")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for ob in data["obligation"]:
        for key in ("text", "source_text"):
            if key in ob:
                assert ob[key] in published, f"{path.name}: {ob['id']}: {key} not in the .txt"
        if ob.get("kind", "deadline") == "deadline":
            assert "due" in ob or "review" in ob, f"{path.name}: {ob['id']}: no due rule, no review"


@pytest.mark.parametrize("path", ORDERS, ids=[p.stem for p in ORDERS])
def test_each_file_names_its_source_court_and_kind(path: Path) -> None:
    top = _comments(path)
    assert {"source", "court", "kind"} <= top.keys(), f"{path.name}: {sorted(top)}"
    if path.stem in EXAMPLES:
        assert f"shared/orders/{path.stem}" in top["source"]
    else:
        assert re.match(r"https?://\S+", top["source"]), f"{path.name}: {top['source']}"


def test_no_order_is_in_the_corpus_twice() -> None:
    sources = [_comments(p)["source"].split()[0] for p in ORDERS]
    assert len(sources) == len(set(sources)), "two files give one source address"
    texts = [p.with_suffix(".txt").read_bytes() for p in ORDERS]
    assert len(texts) == len(set(texts)), "two files hold the same text"


def test_the_readme_lists_every_order() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert "## Federal district courts" in readme
    assert f"## {OTHER_COURTS}" in readme
    listed = set(_section(readme, "Federal district courts"))
    listed |= set(_section(readme, OTHER_COURTS))
    for path in ORDERS:
        assert path.stem in listed, f"README.md does not list {path.stem}"


def test_the_federal_district_section_has_its_22_orders_from_10_districts() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    listed = _section(readme, "Federal district courts")
    assert len(listed) == len(set(listed))
    assert set(listed) >= EXAMPLES
    assert len(set(listed) - EXAMPLES) >= 22
    districts = {load_order(CORPUS / f"{stem}.toml").court for stem in listed}
    assert len(districts) >= 10, sorted(districts)
    assert all(court.endswith("d") for court in districts), "only district courts here"


def test_the_whole_corpus_has_forty_orders_from_twenty_courts() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    halves = [_section(readme, h) for h in ("Federal district courts", OTHER_COURTS)]
    if not all(halves):
        pytest.skip("the count applies once both halves of the corpus have landed")
    assert len(ORDERS) >= WANTED_ORDERS
    courts = {load_order(p).court for p in ORDERS}
    assert len(courts) >= WANTED_COURTS, sorted(courts)
