"""Order files at the edges (issue 13): dates outside the supported years, control characters,
huge files, deep nesting, long chains. Each is refused with its file and line, or scheduled,
and never ends in a traceback."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from calendars.errors import FIRST_YEAR, LAST_YEAR
from obligations.engine import schedule
from obligations.model import Facts
from obligations.orderfile import MAX_BYTES, OrderFileErrors, load_order, load_orders, parse_order

HEAD = '[order]\nid = "o"\ncase = "c"\ncourt = "njd"\nentered = 2025-01-06\n'


def duty(oid: str, due: str, text: str = "The duty.") -> str:
    return (
        f'\n[[obligation]]\nid = "{oid}"\nparty = "both"\ntext = "{text}"\ncite = "¶ 1"\n'
        f'due = "{due}"\n'
    )


def errors(text: str) -> list[str]:
    with pytest.raises(OrderFileErrors) as info:
        parse_order(text, "o.toml")
    return [f"{e.line}:{e.column}: {e.message}" for e in info.value.errors]


SPAN = f"is outside the years docketcal supports ({FIRST_YEAR} to {LAST_YEAR})"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (HEAD + duty("a", "on 9999-12-31"), "12:11"),
        (HEAD + duty("a", "14 days after 1850-01-01"), "12:22"),
        (HEAD + duty("a", "every 90 days after order until 2300-01-01"), "12:40"),
        (HEAD.replace("2025-01-06", "0001-01-01") + duty("a", "on 2025-02-03"), "5:11"),
        (
            HEAD
            + duty("a", "on 2025-02-03")
            + '\n[[check]]\ngiven = { x = 9999-12-25 }\nexpect = { a = "open" }\n',
            "15:11",
        ),
        (HEAD + duty("a", "on 2025-02-03") + "\n[[check]]\nexpect = { a = 2201-01-01 }\n", "15:12"),
        (
            HEAD
            + duty("a", "on 2025-02-03")
            + '\n[[amend]]\norder = "x"\nobligation = "y"\naction = "extend"\nto = 1899-12-31\n',
            "18:6",
        ),
    ],
)
def test_a_date_outside_the_supported_years_is_refused_with_its_line(text: str, where: str) -> None:
    """issue 13: `order load` of a file due `on 9999-12-31` ended in a traceback."""
    found = errors(text)
    assert len(found) == 1 and SPAN in found[0], found
    assert found[0].startswith(where + ":"), found


def test_the_supported_years_themselves_load() -> None:
    order = parse_order(
        HEAD + duty("a", f"on {FIRST_YEAR}-01-02") + duty("b", f"on {LAST_YEAR}-12-31")
    )
    assert [ob.id for ob in order.obligations] == ["a", "b"]


def test_a_nul_is_refused_with_its_line() -> None:
    """issue 13: a NUL in an order's text passed `order check` and crashed PostgreSQL."""
    found = errors(HEAD + duty("a", "on 2025-02-03", "Produce\\u0000 it."))
    assert len(found) == 1 and "a NUL character" in found[0] and "cannot be stored" in found[0]
    assert found[0].startswith("10:8:"), found


@pytest.mark.parametrize("char", ["\\u001b", "\\u0007", "\\u007f", "\\t", "\\r\\n"])
def test_other_control_characters_are_stored_as_written(char: str) -> None:
    """They can be stored; every command prints them escaped (cli.render)."""
    text = HEAD + duty("a", "on 2025-02-03", f"Produce{char} it.")
    order = parse_order(text)
    assert order.obligations[0].text.startswith("Produce") and len(order.obligations[0].text) > 9


def test_a_nul_in_a_key_is_refused() -> None:
    found = errors(HEAD + '"bad\\u0000key" = 1\n')
    assert any("NUL" in e for e in found), found


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """issue 13: a 50 MB order file took 27 s and 450 MB to load."""
    big = tmp_path / "big.toml"
    with big.open("w", encoding="utf-8") as f:
        f.write(HEAD)
        f.write("# " + "x" * 1000 + "\n" * 1 + ("# " + "y" * 998 + "\n") * (53 * 1024))
    assert big.stat().st_size > 50 * 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(OrderFileErrors) as info:
        load_order(big)
    assert time.perf_counter() - start < 1.0
    [error] = info.value.errors
    assert error.path == str(big) and error.line == 1
    assert f"at most {MAX_BYTES // (1024 * 1024)} MB" in error.message


def test_a_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "padded.toml"
    text = HEAD + duty("a", "on 2025-02-03")
    path.write_text(text + "#" * (MAX_BYTES - len(text.encode()) - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_BYTES
    assert load_order(path).id == "o"


@pytest.mark.parametrize("depth", [500, 5000])
def test_toml_nested_hundreds_deep_is_a_clear_error(depth: int) -> None:
    """issue 13: TOML nested about 500 deep ended in a RecursionError."""
    found = errors(HEAD + "x = " + "[" * depth + "]" * depth + "\n")
    assert found == [
        "1:1: TOML: nested too deep (arrays or tables inside each other hundreds of times)"
    ]


def test_a_chain_of_3000_obligations_loads_and_is_scheduled(tmp_path: Path) -> None:
    """issue 13: a chain of 500 was reported as a loop, one of 990 ended in a RecursionError
    (here 3,000, each counting from the one written after it, well past the recursion limit)."""
    text = HEAD + "".join(duty(f"d{i}", f"1 day after d{i + 1}.due") for i in range(2999))
    text += duty("d2999", "14 days after order")
    path = tmp_path / "chain.toml"
    path.write_text(text, encoding="utf-8")
    [order] = load_orders([path])
    sched = schedule([order], Facts(), date(2025, 1, 6))
    assert sched.problems == ()
    last = sched.find("o", "d0")
    assert last.due is not None and last.due.due > date(2032, 1, 1)


def test_a_loop_in_a_long_chain_is_named() -> None:
    text = HEAD + duty("d0", "1 day after d999.due")
    text += "".join(duty(f"d{i}", f"1 day after d{i - 1}.due") for i in range(1, 1000))
    found = errors(text)
    assert (
        len(found) == 1
        and found[0].startswith("12:20:")
        and "due rules loop: d0 -> d999 -> d998" in found[0]
    )
