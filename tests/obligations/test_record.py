"""What a person types to record a fact (obligations/record.py), as the command line and the
desk both check it: dates that exist within the supported years, periods, condition states.
Expected values by hand from the calendar."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendars.errors import BadInput
from obligations import record


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2013-02-30", "--on '2013-02-30' is not a date that exists: February 2013 has 28 days"),
        ("2013-13-01", "there is no month 13"),
        ("tomorrow", "expected YYYY-MM-DD"),
        ("1899-12-31", "1899-12-31"),
    ],
)
def test_dates_that_do_not_exist_are_refused_with_why(text: str, message: str) -> None:
    with pytest.raises(BadInput) as caught:
        record.parse_day(text, "--on")
    assert message in str(caught.value)


def test_days_and_moments() -> None:
    assert record.parse_day(" 2013-11-23 ", "--on") == date(2013, 11, 23)
    assert record.parse_moment("2014-01-06T10:00", "DATE") == datetime(2014, 1, 6, 10, 0)
    assert record.parse_moment("2014-01-06", "DATE") == date(2014, 1, 6)
    with pytest.raises(BadInput, match="without an offset"):
        record.parse_moment("2014-01-06T10:00+01:00", "DATE")
    with pytest.raises(BadInput, match="expected a period such as '14 days'"):
        record.parse_extension("soon")
    assert str(record.parse_extension("14 days")) == "14 days"
    assert record.condition_state("not-met") == "not-met"
    with pytest.raises(BadInput, match="expected met or not-met"):
        record.condition_state("maybe")


@pytest.mark.fuzz
@given(st.text(max_size=40))
def test_fuzz_what_is_typed_is_a_value_or_bad_input(text: str) -> None:
    for parse in (
        lambda t: record.parse_day(t, "--on"),
        lambda t: record.parse_moment(t, "DATE"),
        record.parse_extension,
        record.condition_state,
    ):
        with contextlib.suppress(BadInput):
            parse(text)
