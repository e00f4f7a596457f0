"""The one writer of order files (``write_order_file``): what it writes reads back as the same
values, for the drafter and the desk's intake alike."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from calendars.data import data_path
from obligations.orderfile import parse_order, toml_value, write_order_file

NJD = data_path("orders") / "njd-2013-07-02.toml"


def test_an_example_order_file_reads_back_the_same_and_loads() -> None:
    tables = tomllib.loads(NJD.read_text())
    written = write_order_file(tables, comment="Written again\nfrom the example")
    assert written.startswith("# Written again\n# from the example\n\n[order]\n")
    assert tomllib.loads(written) == tables
    assert [o.id for o in parse_order(written).obligations] == [
        "continue-meet-and-confer", "joint-letter", "no-further-submissions",
        "request-conference",
    ]  # fmt: skip
    # [[check]] tables with their inline tables, each value on one line
    assert "expect = { joint-letter = 2013-07-15 }" in written
    assert "given = {}" in written


def test_values_of_every_kind() -> None:
    assert (
        toml_value('a "quoted" \\ line\nbreak\x7f') == '"a \\"quoted\\" \\\\ line\\nbreak\\u007f"'
    )
    assert toml_value(date(2013, 11, 12)) == "2013-11-12"
    assert toml_value(datetime(2013, 11, 12, 17, 0)) == "2013-11-12T17:00:00"
    assert toml_value(time(9, 30)) == "09:30:00"
    assert toml_value({"status-report#2": 1, "a": [True, 1.5]}) == (
        '{ "status-report#2" = 1, a = [true, 1.5] }'
    )
    assert toml_value(float("inf")) == "inf"


names = st.text(min_size=1, max_size=12)
scalars = st.one_of(
    st.text(max_size=40),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.floats(allow_nan=False),
)


@given(
    order=st.dictionaries(names, scalars, max_size=6),
    duties=st.lists(st.dictionaries(names, scalars, max_size=6), max_size=4),
)
def test_any_values_read_back_as_written(
    order: dict[str, object], duties: list[dict[str, object]]
) -> None:
    tables: dict[str, object] = {"order": order}
    if duties:
        tables["obligation"] = duties
    back = tomllib.loads(write_order_file(tables))
    assert back.get("order", {}) == order
    assert back.get("obligation", []) == duties
