"""Each stage of the drafter on its own: cleaning, numbers and dates, the caption, paragraphs
and cites, duties and their due rules. Every expected value was written by hand from the
sample text beside it; the property tests state what holds for any text."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obligations.draft import draft_order
from obligations.draft.caption import find_case, find_court, find_entered, find_judge
from obligations.draft.dates import COUNT, TIME, count_value, find_dates, number_value, time_value
from obligations.draft.structure import blocks, sentences
from obligations.draft.text import clean
from obligations.when import parse_when

# ---- cleaning ------------------------------------------------------------------------------


def test_page_noise_is_taken_out_and_offsets_lead_back() -> None:
    original = (
        "Case 2:13-cv-01234 Document 5 Filed 01/02/13 Page 1 of 2\n"
        "The parties shall meet and confer in good faith and shall file a joint com-\n"
        "pliance report.\n"
        "\n"
        "1\n"
        "\n"
        "Case 2:13-cv-01234 Document 5 Filed 01/02/13 Page 2 of 2\n"
        "Plaintiff shall pay the fee.\n"
    )
    c = clean(original)
    assert "Page 1 of 2" not in c.text and "Document 5" not in c.text
    assert "joint compliance report." in c.text
    assert "\n1\n" not in c.text
    i = c.text.index("Plaintiff")
    assert original[c.origin[i] : c.origin[i] + 9] == "Plaintiff"
    s, e = c.original_span(i, i + len("Plaintiff shall pay the fee."))
    assert original[s:e] == "Plaintiff shall pay the fee."


def test_pleading_line_numbers_are_stripped() -> None:
    lines = [
        f"{n} " + ("Defendant shall answer the complaint." if n == 5 else "text of the order")
        for n in range(1, 29)
    ]
    c = clean("\n".join(lines * 2))
    assert "5 Defendant" not in c.text
    assert "Defendant shall answer the complaint." in c.text


def test_a_footnote_that_interrupts_a_sentence_goes_to_the_end() -> None:
    original = (
        "ORDERED that the request for a conference to\n\n"
        "³(...continued)\nconfer; the footnote's last words.\n\n"
        "discuss the issues is denied.\n"
    )
    c = clean(original)
    assert "conference to discuss the issues is denied." in c.text
    assert c.text.index("footnote") > c.text.index("denied")


def test_emphasis_asterisks_are_dropped() -> None:
    c = clean("no later than **July 15, 2013** and *jointly*.")
    assert c.text == "no later than July 15, 2013 and jointly."


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_every_kept_character_is_the_originals(text: str) -> None:
    c = clean(text)
    assert len(c.origin) == len(c.text)
    for i, ch in enumerate(c.text):
        if not ch.isspace():
            assert text[c.origin[i]] == ch
    for a in range(0, len(c.text), 7):
        s, e = c.original_span(a, min(len(c.text), a + 9))
        assert 0 <= s <= e <= len(text)


# ---- numbers, dates and times --------------------------------------------------------------


@pytest.mark.parametrize(
    "words,value",
    [
        ("fourteen", 14),
        ("twenty-one", 21),
        ("thirty", 30),
        ("one hundred twenty", 120),
        ("seven", 7),
        ("ninety", 90),
    ],
)
def test_number_words(words: str, value: int) -> None:
    assert number_value(words) == value


@pytest.mark.parametrize(
    "text,value",
    [
        ("fourteen (14) days", 14),
        ("14 (fourteen) days", 14),
        ("21 days", 21),
        ("sixty days", 60),
        ("fourteen (15) days", None),
    ],
)
def test_counts_in_words_and_figures(text: str, value: int | None) -> None:
    m = re.match(COUNT, text)
    assert m is not None
    assert count_value(m) == value


@pytest.mark.parametrize(
    "text,day",
    [
        ("July 15, 2013", date(2013, 7, 15)),
        ("Monday, July 15, 2013", date(2013, 7, 15)),
        ("Sept. 3, 2024", date(2024, 9, 3)),
        ("15 July 2013", date(2013, 7, 15)),
        ("the 2nd day of July, 2013", date(2013, 7, 2)),
        ("this twenty-first day of March, 2019", date(2019, 3, 21)),
        ("7/15/2013", date(2013, 7, 15)),
        ("07/15/13", date(2013, 7, 15)),
        ("10-19-2021", date(2021, 10, 19)),
        ("2013-07-15", date(2013, 7, 15)),
        ("OCTOBER 13, 2014", date(2014, 10, 13)),
    ],
)
def test_date_forms(text: str, day: date) -> None:
    assert [d for _, _, d in find_dates(text)] == [day]


def test_days_that_do_not_exist_are_not_dates() -> None:
    assert find_dates("February 30, 2013 and 13/45/2013 and No. 04-18-00575-CV") == []


@pytest.mark.parametrize(
    "text,at",
    [
        ("10:00 a.m.", time(10)),
        ("2:30 p.m.", time(14, 30)),
        ("9 AM", time(9)),
        ("noon", time(12)),
        ("12:15 a.m.", time(0, 15)),
    ],
)
def test_times(text: str, at: time) -> None:
    m = TIME.search(text)
    assert m is not None and time_value(m) == at


# ---- caption ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caption,court",
    [
        ("IN THE UNITED STATES DISTRICT COURT\nFOR THE EASTERN DISTRICT OF CALIFORNIA", "caed"),
        ("UNITED STATES DISTRICT COURT\nDISTRICT OF NEW JERSEY", "njd"),
        ("UNITED STATES BANKRUPTCY COURT\nSOUTHERN DISTRICT OF NEW YORK", "nysb"),
        ("UNITED STATES COURT OF APPEALS\nFOR THE NINTH CIRCUIT", "ca9"),
        ("SUPERIOR COURT OF THE STATE OF CALIFORNIA\nCOUNTY OF LOS ANGELES", "calsuperct"),
        (
            "SUPREME COURT OF THE STATE OF NEW YORK\nAPPELLATE DIVISION: SECOND JUDICIAL DEPARTMENT",
            "nyappdiv",
        ),
        ("UNITED STATES TAX COURT", "tax"),
        ("In The\n            Eleventh Court of\nAppeals\n", "texapp11"),
        ("In The\nCourt of Appeals\nFifth District of Texas at Dallas", "texapp5"),
    ],
)
def test_court_from_the_caption(caption: str, court: str) -> None:
    found = find_court(caption + "\n\nORDER\n")
    assert found is not None and found.value == court
    assert caption.replace("\n", " ").upper().find(found.words.replace("\n", " ").upper()) >= 0


def test_no_court_without_a_caption() -> None:
    assert find_court("Plaintiff shall file a brief.") is None


def test_the_court_appealed_from_or_named_in_a_paragraph_is_not_the_orders() -> None:
    # a published copy of a Texas appellate order: the trial court is in its heading
    assert (
        find_court(
            "Opinion\nNo. 04-18-00575-CV\nFrom the 131st Judicial District Court, Bexar County, Texas\n"
        )
        is None
    )
    body = "Applicant was convicted of capital murder. The Fourteenth Court of Appeals affirmed his conviction on direct appeal, and he now seeks relief."
    assert find_court("ORDER\n" + body + "\n") is None


def test_case_number_not_an_ecf_number() -> None:
    found = find_case("see ECF No. 156.\nCase No. 2:13-cv-01234-KJN\n", "")
    assert found is not None and found.value == "2:13-cv-01234-KJN"


def test_entered_from_an_appellate_heading() -> None:
    found = find_entered("Order entered September 22, 2014\n\nIn The\nCourt of Appeals\n")
    assert found is not None and found.value == "2014-09-22"


def test_entered_prefers_entered_over_dated_and_skips_other_orders() -> None:
    text = "By order dated February 13, 2019, the court ruled.\nDated: March 1, 2019\nENTERED: March 4, 2019\n"
    found = find_entered(text)
    assert found is not None and found.value == "2019-03-04"
    assert find_entered("By order dated February 13, 2019, the court ruled.") is None


def test_judge_from_the_signature() -> None:
    found = find_judge(
        "IT IS SO ORDERED.\n\ns/ Michael A. Hammer\n\nUNITED STATES MAGISTRATE JUDGE\n"
    )
    assert found is not None and found.value == "Michael A. Hammer, United States Magistrate Judge"


# ---- paragraphs and sentences --------------------------------------------------------------


def test_cites_of_numbered_and_ordered_paragraphs() -> None:
    text = "1. First.\n\n2. Second.\n a. Sub.\n b. Sub.\n\nORDERED that x;\n\nORDERED that y."
    cites = [b.cite for b in blocks(text)]
    assert cites == [
        "¶ 1",
        "¶ 2",
        "¶ 2(a)",
        "¶ 2(b)",
        "¶ 2, first ORDERED paragraph",
        "¶ 2, second ORDERED paragraph",
    ]


def test_a_lower_case_list_continues_its_paragraph() -> None:
    text = "ORDERED that they explain:\n\n1. the request;\n2. the response; and it is further\n\nORDERED that z."
    bl = blocks(text)
    assert len(bl) == 2 and "2. the response" in text[bl[0].start : bl[0].end]


def test_abbreviations_do_not_end_sentences() -> None:
    text = "See Fed. R. Civ. P. 37(a) and ECF No. 5. The parties shall meet at 10:00 a.m. on the day. Done."
    spans = sentences(text, 0, len(text))
    assert [text[a:b] for a, b in spans] == [
        "See Fed. R. Civ. P. 37(a) and ECF No. 5.",
        "The parties shall meet at 10:00 a.m. on the day.",
        "Done.",
    ]


# ---- duties and due rules --------------------------------------------------------------------

HEAD = (
    "UNITED STATES DISTRICT COURT\nEASTERN DISTRICT OF CALIFORNIA\n\nIT IS HEREBY ORDERED that:\n\n"
)
TAIL = "\n\nDated: March 3, 2025\n"


def _one(sentence: str):  # type: ignore[no-untyped-def]
    draft = draft_order(HEAD + "1. " + sentence + TAIL)
    assert len(draft.obligations) == 1, [o.text for o in draft.obligations]
    return draft.obligations[0]


@pytest.mark.parametrize(
    "sentence,due",
    [
        (
            "Plaintiff shall file an opposition within fourteen (14) days of the date of this order.",
            "14 days after order",
        ),
        ("Defendant shall answer no later than April 1, 2025.", "by 2025-04-01"),
        (
            "The parties shall appear for a status conference on April 7, 2025 at 10:00 a.m.",
            "on 2025-04-07 10:00",
        ),
        (
            "The parties shall file a joint report on or before Friday, May 2, 2025.",
            "by 2025-05-02",
        ),
        (
            "Plaintiff shall serve the summons within 30 days after the filing of the complaint.",
            "30 days after filing-complaint",
        ),
        (
            "Defendant shall file its reply at least 7 court days before the hearing.",
            "7 court days before hearing",
        ),
        ("Defendant shall respond within 21 days.", "21 days after order"),
        (
            "Defendant shall file its reply no later than 7 days before the hearing on March 31, 2025.",
            "7 days before 2025-03-31",
        ),
        (
            "The parties shall file a joint status report on or before April 11, 2025, and every 28 days thereafter.",
            "by 2025-04-11 and every 28 days thereafter",
        ),
        (
            "Plaintiff shall file the report within 90 days of this order or by June 30, 2025, whichever is earlier.",
            "90 days after order or by 2025-06-30, whichever is earlier",
        ),
        (
            "Plaintiff shall serve process within 120 days of this order, and in any event no later than July 1, 2025.",
            "120 days after order, and in any event by 2025-07-01",
        ),
    ],
)
def test_due_rules(sentence: str, due: str) -> None:
    o = _one(sentence)
    assert o.due == due, o
    assert not o.review
    parse_when(due)
    assert o.source_text and o.source_text in o.text


@pytest.mark.parametrize(
    "sentence,why",
    [
        ("Plaintiff shall file the brief by June 3.", "no year"),
        ("Plaintiff shall file the brief within fourteen (15) days.", "not clear"),
        (
            "Plaintiff shall file the brief within 14 days of service of this order.",
            "service of this order",
        ),
        (
            "Plaintiff shall file the brief by June 3, 2025, and defendant by June 10, 2025 July 1, 2025.",
            "more than one",
        ),
        ("The parties shall file a joint status report every 90 days.", "first day is not stated"),
    ],
)
def test_what_cannot_be_read_exactly_is_flagged(sentence: str, why: str) -> None:
    o = _one(sentence)
    assert o.due is None
    assert why in o.review


@pytest.mark.parametrize(
    "sentence,party,kind",
    [
        ("Plaintiff shall not file further motions without leave.", "plaintiff", "prohibition"),
        ("The parties shall continue to meet and confer.", "both", "standing"),
        (
            "The Clerk of Court shall mail a copy of this order to plaintiff.",
            "the clerk of court",
            "standing",
        ),
        (
            "Whenever a new motion is filed, the moving party shall notify the court.",
            "both",
            "recurring",
        ),
        ("Defendants may file a reply.", "defendant", "standing"),
    ],
)
def test_party_and_kind(sentence: str, party: str, kind: str) -> None:
    o = _one(sentence)
    assert (o.party, o.kind) == (party, kind)


@pytest.mark.parametrize(
    "sentence",
    [
        "Failure to comply with this order will result in dismissal of this action.",
        "The Court will rule on the papers.",
        "Rule 4(m) provides that: “the court must dismiss the action.”",
        "The court finds that the question whether plaintiff must pay is moot.",
    ],
)
def test_sentences_that_impose_nothing(sentence: str) -> None:
    draft = draft_order(HEAD + "1. " + sentence + TAIL)
    assert draft.obligations == ()


def test_recitals_before_the_decretal_impose_nothing() -> None:
    text = (
        HEAD.replace("IT IS HEREBY ORDERED that:\n\n", "")
        + "WHEREAS the prior order required that the parties must confer;\n\n"
        + "IT IS HEREBY ORDERED that defendant shall answer by April 1, 2025."
        + TAIL
    )
    draft = draft_order(text)
    assert [o.party for o in draft.obligations] == ["defendant"]


def test_a_duty_counted_from_another_links_to_it() -> None:
    text = (
        HEAD
        + "1. Within 14 days of this order, defendant shall return plaintiff's documents.\n\n"
        + "2. Within 7 days of the documents being returned, plaintiff shall serve an index.\n"
        + TAIL
    )
    first, second = draft_order(text).obligations
    assert second.due == f"7 days after {first.id}"


def test_thereafter_counts_from_the_duty_before_and_is_flagged() -> None:
    text = (
        HEAD
        + "1. Plaintiff shall file a motion by May 1, 2025; defendant shall respond 14 days thereafter.\n"
        + TAIL
    )
    first, second = draft_order(text).obligations
    assert second.due == f"14 days after {first.id}"
    assert "thereafter" in second.review


def test_a_rule_that_would_not_load_goes_back_to_review() -> None:
    from dataclasses import replace

    from obligations.draft.draft import _loads
    from obligations.orderfile import parse_order

    draft = draft_order(HEAD + "1. Defendant shall answer by April 1, 2025.\n" + TAIL)
    (o,) = draft.obligations
    looped = replace(draft, obligations=(replace(o, due=f"7 days after {o.id}"),))
    fixed = _loads(looped)
    (back,) = fixed.obligations
    assert back.due is None and "does not load" in back.review
    parse_order(fixed.to_toml())


def test_two_dates_for_the_order_put_its_periods_on_review() -> None:
    text = (
        "UNITED STATES DISTRICT COURT\nEASTERN DISTRICT OF CALIFORNIA\n\nIT IS HEREBY ORDERED that:\n\n"
        "1. Defendant shall answer within 21 days of this order.\n\n"
        "2. Plaintiff shall file a report by May 1, 2025.\n\n"
        "Dated: March 3, 2025\n\nENTERED: March 5, 2025\n"
    )
    answer, report = draft_order(text).obligations
    assert draft_order(text).entered == date(2025, 3, 5)  # ENTERED wins
    assert answer.due == "21 days after order" and "2025-03-03" in answer.review
    assert report.due == "by 2025-05-01" and not report.review


def test_papers_listed_after_a_duty_are_each_a_duty() -> None:
    text = (
        HEAD
        + "ORDERED that appellant shall submit the following documents on or before 10/30/25:\n\n"
        + "1. Docketing Statement\n\n2. Statement of the Issues\n\n"
        + "ORDERED that the report shall contain the following:\n\n1. The claims\n\n2. The defenses\n"
        + TAIL
    )
    draft = draft_order(text)
    items = [
        o for o in draft.obligations if o.text in ("Docketing Statement", "Statement of the Issues")
    ]
    assert [(o.party, o.due) for o in items] == [("plaintiff", "by 2025-10-30")] * 2
    assert not any(o.text in ("The claims", "The defenses") for o in draft.obligations)


def test_a_scheduling_order_with_a_table_and_minute_order_entries() -> None:
    # examples/scheduling-sample.txt: a sample in the forms of a Rule 16 scheduling order and a
    # minute order (its first line says so); the expected values are read off its lines
    text = (Path(__file__).resolve().parent / "examples" / "scheduling-sample.txt").read_text(
        encoding="utf-8"
    )
    draft = draft_order(text)
    assert (draft.court, draft.case, draft.entered) == ("txsd", "4:24-cv-01234", date(2025, 1, 15))
    due = {
        re.sub(r"^\d\. ", "", o.text).split(":")[0].split(" ....")[0]: o.due
        for o in draft.obligations
    }
    assert (
        due["Deadline to amend pleadings"] == "by 2025-03-03"
    )  # "1. Deadline to amend pleadings: March 3, 2025"
    assert due["Fact discovery cutoff"] == "by 2025-06-02"
    assert (
        due["Docket call"] == "on 2025-09-08 13:30"
    )  # "Docket call: September 8, 2025 at 1:30 p.m."
    assert due["Jury Trial"] == "on 2025-10-06 09:00"
    by_words = {o.text[:40]: o for o in draft.obligations}
    pretrial = next(
        o for k, o in by_words.items() if k.startswith("The parties shall file a joint pretrial")
    )
    assert pretrial.due == "14 days before docket-call.due" and pretrial.review
    status = next(o for o in draft.obligations if "Status Conference set for" in o.text)
    assert (status.party, status.due) == ("both", "on 2025-03-04 10:00")
    report = next(o for o in draft.obligations if o.text.startswith("Joint Status Report due by"))
    assert report.due == "by 2025-02-25"
    answer = next(o for o in draft.obligations if o.text.startswith("Defendant shall answer"))
    assert answer.due == "21 days after service-summons"


def test_past_deadlines_recited_are_not_duties() -> None:
    draft = draft_order(
        HEAD
        + "1. The opposition was originally due January 30, 2025. Plaintiff shall reply by April 1, 2025.\n"
        + TAIL
    )
    assert [o.due for o in draft.obligations] == ["by 2025-04-01"]


def test_a_time_stated_by_pointing_at_the_duty_before() -> None:
    text = (
        HEAD
        + "1. Respondent shall answer within 21 days of this order. The Secretary may also respond within that time.\n"
        + TAIL
    )
    answer, secretary = draft_order(text).obligations
    assert answer.due == secretary.due == "21 days after order"
    assert "within that time" in secretary.review
