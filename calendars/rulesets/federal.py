"""Federal courts: Fed. R. Civ. P. 6, with Fed. R. App. P. 26 and Fed. R. Crim. P. 45 as variants.

The three rules compute time the same way since the 2009 amendments; they differ in their
citations, in which service methods add three days, and (FRAP) in whose state holidays count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

from calendars.courts import Court, UnknownCourt, all_courts, get_court
from calendars.days import ONE_DAY, DayBook, day_name
from calendars.due import ComputeError, Due, Reading
from calendars.holidays import (
    EO_CLOSURE,
    FEDERAL,
    INAUGURATION,
    STATE,
    Holiday,
    federal_holidays,
    federal_reviewed,
    inauguration_day,
    package_state_holidays,
    state_file,
    state_name,
)
from calendars.period import Direction, Period, Request, Unit
from calendars.rulesets.base import (
    SETTLED,
    Outcome,
    RuleSet,
    Run,
    add_hours,
    aware,
    same_time_on,
)
from calendars.rulesets.versions import Version, in_force, later

RULES_2009 = date(2009, 12, 1)  # the time-computation amendments (periods of days, hours, 6(a)(5))
E_SERVICE_ENDS = date(2016, 12, 1)  # electronic service stops adding 3 days
END_OF_DAY = time(23, 59)
#: courts in Washington, D.C., where Inauguration Day (5 U.S.C. 6103(c)) closes the courts
DC_COURTS = frozenset({"dcd", "cadc", "cafc", "dcb", "uscfc"})
#: courts of districts with counties where 6103(c) makes it a holiday for federal employees
#: (Montgomery and Prince George's Counties, Md.; Arlington and Fairfax Counties, Alexandria and
#: Falls Church, Va.): counted as in Washington, with the reading without it. It is no state
#: holiday of Maryland or Virginia, though the holidays package lists it under both.
NEAR_DC = frozenset({"mdd", "vaed", "mdb", "vaeb"})
PACKAGE_NOT_STATE = frozenset({"Inauguration Day"})
#: courts of appeals that review judgments of the district courts of every circuit (the Federal
#: Circuit, 28 U.S.C. § 1295(a)(1))
NATIONAL_APPEALS = frozenset({"cafc"})


def state_holidays(state: str, year: int) -> tuple[Holiday, ...]:
    """A state's holidays of one year: its reviewed file's state list, else the holidays
    package's list (every result that uses it says so)."""
    sf = state_file(state)
    if sf is not None:
        return sf.holidays(year, STATE)
    return tuple(h for h in package_state_holidays(state, year) if h.name not in PACKAGE_NOT_STATE)


class Federal(RuleSet):
    """Fed. R. Civ. P. 6: the default for every federal district court."""

    id = "frcp"
    name = "Fed. R. Civ. P. 6"
    rule = "Fed. R. Civ. P. 6"
    service_rule = "Fed. R. Civ. P. 6(d)"
    service_scope = "applies only after being served"
    #: the rule family whose versions data/rule-versions.toml lists
    family: ClassVar[str] = "frcp"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added (5(b)(2)(A)-(B))",
        "mail": "3 days after the period (6(d); 5(b)(2)(C))",
        "mail-out-of-state": "3 days after the period (6(d); 5(b)(2)(C))",
        "mail-out-of-country": "3 days after the period (6(d); 5(b)(2)(C))",
        "leaving-with-clerk": "3 days after the period (6(d); 5(b)(2)(D))",
        "consented": "3 days after the period (6(d); 5(b)(2)(F))",
        "fax": "3 days after the period, as other means consented to (6(d); 5(b)(2)(F))",
        "overnight": "3 days after the period, as other means consented to (6(d); 5(b)(2)(F))",
        "electronic": "3 days before 2016-12-01, nothing after (6(d); 5(b)(2)(E))",
    }
    adds_three: ClassVar[frozenset[str]] = frozenset(
        {
            "mail",
            "mail-out-of-state",
            "mail-out-of-country",
            "leaving-with-clerk",
            "consented",
            "fax",
            "overnight",
        }
    )

    def __init__(self) -> None:
        super().__init__()
        self._cites: dict[str, str] = {}
        self._notes: dict[tuple[str, int, bool], tuple[str, ...]] = {}
        self._settled: dict[
            date, tuple[Reading, ...]
        ] = {}  # one shared, immutable reading per date

    def cite(self, sub: str) -> str:
        text = self._cites.get(sub)
        if text is None:
            text = self._cites[sub] = f"{self.rule}{sub}"
        return text

    # -- days ---------------------------------------------------------------------------------

    def make_book(self, court: Court) -> DayBook:
        states = self.book_states(court)

        def source(year: int) -> list[Holiday]:
            days = list(federal_holidays(year))
            if court.id in DC_COURTS or court.id in NEAR_DC:
                inauguration = inauguration_day(year)
                if inauguration is not None:
                    days.append(inauguration)
            for state in states:
                days.extend(state_holidays(state, year))
            return days

        return DayBook(source)

    def book_states(self, court: Court) -> tuple[str, ...]:
        """The states whose holidays the court's book holds (6(a)(6)(C): the court's own)."""
        return (court.state,)

    def whose(self, r: Run, h: Holiday) -> str | None:
        """Who declares the state holiday ``h`` in words ("the state"), or None when that
        state's holidays do not count in this run (Fed. R. App. P. 26(a)(6)(C) names two)."""
        return "the state"

    def notes_key(self, r: Run) -> str:
        """What the warnings of a year depend on besides the year and the direction."""
        return r.court.id

    def quick(self, court: Court, req: Request, book: DayBook) -> Due | None:
        """Days or weeks from a date on or after 2009-12-01, no closures, nothing unsettled."""
        period = req.period
        anchor = req.anchor
        if (
            period is None
            or req.closures
            or req.rules_as_of is not None
            or req.appeal_from is not None
            or type(anchor) is not date
            or anchor < RULES_2009
            or (period.unit is not Unit.DAYS and period.unit is not Unit.WEEKS)
        ):
            return None
        forward = req.direction is Direction.AFTER
        method = req.service
        days = period.n * 7 if period.unit is Unit.WEEKS else period.n
        if method == "electronic" and anchor < E_SERVICE_ENDS <= anchor + timedelta(days + 12):
            return None  # the period may straddle the 2016 amendment: the general path decides
        adds = method != "none" and self.adds(method, anchor)
        if adds and not forward:
            return None
        end = self._quick_roll(book, anchor + timedelta(days=days if forward else -days), forward)
        if end is None:
            return None
        if adds:
            end = self._quick_roll(book, end + timedelta(days=3), True)
            if end is None:
                return None
        notes = self._notes.get((court.id, anchor.year, forward))
        if notes is None:
            return None
        readings = self._settled.get(end)
        if readings is None:
            readings = self._settled[end] = (Reading(end, SETTLED),)
        return Due(
            due=end,
            due_at=datetime.combine(end, END_OF_DAY, tzinfo=court.zone),
            safe_due=end,
            readings=readings,
            warnings=notes,
            explain=lambda: self.explain(court, req),
        )

    def _quick_roll(self, book: DayBook, d: date, forward: bool) -> date | None:
        """The roll of ``closed``, without words; None when an unsettled day is met."""
        step = ONE_DAY if forward else -ONE_DAY
        while True:
            if d.weekday() < 5:
                holidays = book.on(d)
                if not holidays:
                    return d
                first = holidays[0]
                layer = first.layer
                if layer == INAUGURATION or first.declared is not None:
                    return None  # unsettled: the general path shows the readings
                if layer != FEDERAL:
                    if layer == EO_CLOSURE or forward:
                        return None
                    if len(holidays) > 1:
                        return None
                    return d  # a state holiday does not count backward
            d += step

    def closed(self, r: Run, d: date, forward: bool) -> str | None:
        wd = d.weekday()
        if wd >= 5:
            return "a Saturday" if wd == 5 else "a Sunday"
        found: str | None = None
        for h in r.book.on(d):
            layer = h.layer
            if layer == FEDERAL:
                if h.declared is not None and not self.known_in_time(r, h):
                    continue
                return f"a legal holiday, {h.name} ({h.source})"
            if layer == INAUGURATION:
                r.touched.add("inauguration")
                if r.assume.inauguration and found is None:
                    found = f"a legal holiday, {h.name} ({h.source}; {self.cite('(a)(6)(B)')})"
                continue
            if layer == EO_CLOSURE:
                r.touched.add("eo_closures")
                if r.assume.eo_closures and found is None:
                    found = f"{h.name} ({h.source}), a legal holiday under {self.cite('(a)(6)(B)')}"
            elif layer == STATE and self.state_counts(r, forward) and self.state_applies(r, d):
                who = self.whose(r, h)
                if who is None:
                    continue
                r.touched.add("state_holidays")
                if h.arguable:
                    r.touched.add("arguable_holidays")
                    if not r.assume.arguable_holidays:
                        continue
                if r.assume.state_holidays and found is None:
                    found = f"{h.name}, a day {who} declares a holiday ({h.source}; {self.cite('(a)(6)(C)')})"
        return found

    def state_applies(self, r: Run, d: date) -> bool:
        return True

    def state_counts(self, r: Run, forward: bool) -> bool:
        """State holidays: forward periods under the 2009 text; both ways under the former text,
        which names them without a direction; never where the rule has no such clause."""
        how = r.version.state_holidays if r.version is not None else "forward"
        return how == "both" or (how == "forward" and forward)

    def known_in_time(self, r: Run, h: Holiday) -> bool:
        """A holiday declared just before it fell, for a period that began before then: counted
        by default, with a reading without it."""
        anchor = r.req.anchor
        if anchor is None or h.declared is None or self.local(r, anchor) > h.declared:
            return True
        r.touched.add("late_holidays")
        r.warn(
            f"{h.name} on {h.day.isoformat()} was declared a holiday on {h.declared.isoformat()},"
            " after the period began: both readings are shown"
        )
        return r.assume.late_holidays

    def vcite(self, r: Run, sub: str) -> str:
        """The citation of a subdivision in the version the run computes with."""
        v = r.version
        if v is None or v.current_style:
            return self.cite(sub)
        return v.computation

    def closed_for_closure(self, r: Run, d: date, forward: bool) -> str | None:
        if d in r.req.closures:
            return "a day the clerk's office is inaccessible"
        return self.closed(r, d, forward)

    # -- the computation ----------------------------------------------------------------------

    def run(self, r: Run) -> Outcome:
        req = r.req
        if req.fixed is not None:
            return self.fixed(r, req.fixed)
        assert req.period is not None and req.anchor is not None
        anchor = self.local(r, req.anchor)
        version = in_force(self.family, req.rules_as_of or anchor, self.rule)
        r.version = version
        outcome = self.computed(r, anchor, version)
        if req.rules_as_of is None:
            newer = later(self.family, anchor, outcome.due)
            if newer is not None:
                probe = Run(r.court, req, r.assume, r.book, explain=False, version=newer)
                other = self.computed(probe, anchor, newer)
                if other.due != outcome.due:
                    r.touched.add("rule_of_the_event")
                    r.warn(
                        f"the period began under {version.label} and ran past the day {newer.label}"
                        f" took effect ({newer.since.isoformat()}): both readings are shown"
                    )
                    if not r.assume.rule_of_the_event:
                        r.version = newer
                        outcome = other
        return outcome

    def computed(self, r: Run, anchor: date, version: Version) -> Outcome:
        """The period under one version of the rule."""
        req = r.req
        assert req.period is not None
        forward = req.direction is Direction.AFTER
        if req.period.unit is Unit.HOURS:
            if not version.hours:
                raise ComputeError(
                    f"{version.label} has no rule for periods stated in hours (6(a)(2) took effect"
                    " 2009-12-01); compute by hand or ask with --rules-as-of for the current rule"
                )
            return self.hours(r)
        self.years(r, anchor)
        end = self.period_end(r, anchor, forward, version)
        end = self.closure(r, end, forward)
        end = self.service(r, end, forward, anchor, version)
        due_at = self.end_of_day(r, end)
        if r.explain:
            closes = r.court.clerk_closes
            paper = f" ({closes.strftime('%H:%M')})" if closes else ""
            if version.current_style:
                r.step(
                    self.cite("(a)(4)(A)"),
                    end,
                    due_at,
                    f"the last day ends at midnight court time ({r.court.tz}) for electronic filing;"
                    f" for filing by other means, when the clerk's office closes{paper} ({self.cite('(a)(4)(B)')})"
                    + _zones(r)
                    + f"; computed under {version.label}",
                )
            else:
                r.step(
                    version.computation,
                    end,
                    due_at,
                    f"{version.label} does not say when the last day ends: taken as midnight court"
                    f" time ({r.court.tz}) for electronic filing, as the 2009 text later said, and for"
                    f" filing by other means when the clerk's office closes{paper}" + _zones(r),
                )
        return Outcome(end, due_at)

    def years(self, r: Run, anchor: date) -> None:
        """Warnings that depend only on the court, the year and the direction: found once."""
        forward = r.req.direction is Direction.AFTER
        key = (self.notes_key(r), anchor.year, forward)
        notes = self._notes.get(key)
        if notes is None:
            probe = Run(r.court, r.req, r.assume, r.book, explain=False)
            self.year_notes(probe, anchor, forward)
            notes = self._notes[key] = tuple(probe.warnings)
        for note in notes:
            r.warn(note)

    def year_notes(self, r: Run, anchor: date, forward: bool) -> None:
        self.check_years(r, anchor, federal_reviewed(), "federal holiday list")
        if forward:
            sf = state_file(r.court.state)
            if sf is None:
                r.warn(
                    f"the holiday list of {r.court.state} is not yet reviewed: state holidays under"
                    f" {self.cite('(a)(6)(C)')} come from the holidays package's state-employee list"
                )
            else:
                self.check_years(r, anchor, sf.reviewed, f"{sf.name} holiday list")
        if r.court.id in NEAR_DC:
            r.warn(
                "Inauguration Day is a legal holiday for federal employees in some counties of this"
                " district (5 U.S.C. 6103(c): Montgomery and Prince George's Counties, Md.; Arlington"
                " and Fairfax Counties, Alexandria and Falls Church, Va.): counted as in the courts"
                " of Washington, D.C., with a reading without it"
            )

    def period_end(
        self, r: Run, anchor: date, forward: bool, version: Version, extra: int = 0
    ) -> date:
        """The last day of the period (``extra`` days longer: former 6(e) read as adding its 3
        days to the prescribed period), rolled off non-court days."""
        period = r.req.period
        assert period is not None
        if extra:
            period = Period(period.n + extra, period.unit)
        way = "after" if forward else "before"
        if period.unit is Unit.COURT_DAYS:
            r.warn(
                f"{self.rule} does not define court days; counted as days that are not a Saturday, Sunday or legal holiday"
            )
            return self.count_court_days(
                r,
                anchor,
                period.n,
                forward,
                self.vcite(r, "(a)(6)"),
                "count only days that are not a Saturday, Sunday or legal holiday",
            )
        if period.unit is Unit.DAYS and period.n < version.short_below:
            return self.count_court_days(
                r,
                anchor,
                period.n,
                forward,
                self.cite("short") if version.current_style else version.computation,
                f"{version.label}: a period of less than {version.short_below} days excludes the day of the"
                " event and intermediate Saturdays, Sundays and legal holidays",
            )
        if not version.current_style:
            rule = version.computation
            end = self.add_calendar(
                r,
                anchor,
                period,
                forward,
                rule,
                f"{version.label}: exclude the day of the event and count every day",
            )
            if forward:
                return self.roll(r, end, True, rule)
            # The former text: "the period runs until the end of the next day which is not one
            # of the aforementioned days", with no word on periods counted backward.
            if self.closed(r, end, False) is not None:
                r.touched.add("backward_rolls_back")
                r.warn(
                    f"{version.label} does not say which way a period counted before an event moves"
                    " off a non-court day: both readings are shown"
                )
            return self.roll(
                r, end, not r.assume.backward_rolls_back, rule, f"the last day ({way} the event)"
            )
        end = self.add_calendar(
            r,
            anchor,
            period,
            forward,
            self.cite("(a)(1)(A)-(B)"),
            "exclude the day of the event and count every day",
        )
        if forward:
            return self.roll(r, end, True, self.cite("(a)(1)(C)"))
        return self.roll(
            r,
            end,
            False,
            f"{self.cite('(a)(1)(C)')}, {self.cite('(a)(5)')}",
            f"the last day ({way} the event)",
        )

    def closure(self, r: Run, end: date, forward: bool) -> date:
        """6(a)(3)(A): an inaccessible clerk's office moves the last day forward, never back."""
        if end not in r.req.closures:
            return end
        d = end
        skipped = []
        while True:
            reason = self.closed_for_closure(r, d, forward)
            if reason is None:
                break
            skipped.append(f"{day_name(d)} is {reason}")
            d += ONE_DAY
        if r.explain:
            r.step(
                self.vcite(r, "(a)(3)(A)"),
                end,
                d,
                f"{'; '.join(skipped)}: the time for filing is extended to the first accessible day that is"
                f" not a Saturday, Sunday or legal holiday, {day_name(d)}"
                + (" (forward, even for a period counted backward)" if not forward else ""),
            )
        return d

    def adds(self, method: str, served: date) -> bool:
        """Whether service by ``method`` on ``served`` adds 3 days under the rule then in force."""
        return method in in_force(self.family, served, self.rule).adds

    def service(self, r: Run, end: date, forward: bool, anchor: date, version: Version) -> date:
        method = r.req.service
        if method == "none":
            return end
        rule = version.service
        if method not in version.adds:
            if method == "electronic" and version.since >= E_SERVICE_ENDS:
                why = "electronic service on or after 2016-12-01 adds no days"
            else:
                why = f"service by {method} adds no days under {version.label}"
            if r.explain:
                r.step(rule, end, end, why)
            return end
        if not forward:
            r.warn(
                f"{rule} adds days only to act after being served; it does not lengthen a period counted before an event"
            )
            if r.explain:
                r.step(rule, end, end, "no days added to a period counted before an event")
            return end
        roll_rule = self.cite("(a)(1)(C)") if version.current_style else version.computation
        if version.service_days == "to-period":
            r.touched.add("service_days_after")
            r.warn(
                f"{rule} said the 3 days are 'added to the prescribed period'; whether they are added"
                " before or after the period is counted was unsettled until the 2005 amendments:"
                " both readings are shown"
            )
            if not r.assume.service_days_after:
                longer = self.period_end(r, anchor, True, version, extra=3)
                if r.explain:
                    r.step(
                        rule,
                        end,
                        longer,
                        f"service by {method}: 3 days added to the prescribed period, counted as one period",
                    )
                return self.closure(r, longer, True)
        added = end + timedelta(days=3)
        if r.explain:
            r.step(
                rule,
                end,
                added,
                f"service by {method}: 3 days are added after the period would otherwise expire, {day_name(end)} + 3 = {day_name(added)}",
            )
        rolled = self.roll(r, added, True, roll_rule, "the extended last day")
        return self.closure(r, rolled, True)

    def hours(self, r: Run) -> Outcome:
        req = r.req
        assert req.period is not None and req.anchor is not None
        if not isinstance(req.anchor, datetime):
            raise ComputeError(
                "a period in hours needs a date-time anchor, such as 2024-03-08T12:00"
            )
        forward = req.direction is Direction.AFTER
        start = aware(r, req.anchor)
        self.years(r, start.date())
        end = add_hours(r, start, req.period.n, forward)
        shift = ""
        if start.utcoffset() != end.utcoffset():
            r.touched.add("elapsed_hours")
            r.warn(
                f"the clocks changed during the {req.period}: elapsed hours and the wall clock give"
                " different ends; both readings are shown"
            )
            if r.assume.elapsed_hours:
                shift = f"; the clocks changed in between, so the wall clock reads {end.strftime('%H:%M')}"
            else:
                end = wall_clock(r, start, req.period.n, forward)
        if r.explain:
            r.step(
                self.cite("(a)(2)(A)-(B)"),
                start,
                end,
                f"begin counting at once and count every hour: {req.period} {'after' if forward else 'before'}"
                f" {start.strftime('%Y-%m-%d %H:%M %Z')} is {end.strftime('%Y-%m-%d %H:%M %Z')}{shift}",
            )
        day = end.date()
        step = ONE_DAY if forward else -ONE_DAY
        skipped = []
        reason = self.closed(r, day, forward)
        while reason is not None:
            skipped.append(f"{day_name(day)} is {reason}")
            day += step
            reason = self.closed(r, day, forward)
        if skipped:
            moved = same_time_on(r, day, end.time())
            if r.explain:
                r.step(
                    self.cite("(a)(2)(C)"),
                    end,
                    moved,
                    f"{'; '.join(skipped)}: the period runs until the same time on the {'next' if forward else 'previous'} day"
                    f" that is not a Saturday, Sunday or legal holiday, {moved.strftime('%Y-%m-%d %H:%M %Z')}",
                )
            end = moved
        if end.date() in req.closures:
            d = end.date()
            while self.closed_for_closure(r, d, forward) is not None:
                d += ONE_DAY
            moved = same_time_on(r, d, end.time())
            if r.explain:
                r.step(
                    self.cite("(a)(3)(B)"),
                    end,
                    moved,
                    f"the clerk's office is inaccessible on {day_name(end.date())}: the time for filing is extended to the"
                    f" same time on the first accessible day that is not a Saturday, Sunday or legal holiday",
                )
            end = moved
        return Outcome(end.date(), end)

    def fixed(self, r: Run, value: date | datetime) -> Outcome:
        day = self.local(r, value)
        self.check_years(r, day, federal_reviewed(), "federal holiday list")
        if r.explain:
            r.step(
                f"{self.rule}(a) (2009 Committee Note)",
                day,
                day,
                "a date fixed by the court is not a computed period: it is never rolled"
                " (Violette v. P.A. Days, Inc., 427 F.3d 1015 (6th Cir. 2005))",
            )
        reason = self.closed(r, day, True)
        for question in ("state_holidays", "eo_closures", "arguable_holidays", "inauguration"):
            r.touched.discard(question)
        if reason is not None:
            r.warn(
                f"the fixed date {day_name(day)} is {reason}; fixed dates are not rolled:"
                " act by the court day before or ask the court"
            )
            r.touched.add("fixed_date_stays")
            if not r.assume.fixed_date_stays:
                later_day = self.roll(r, day, True, self.cite("(a)(1)(C)"))
                return Outcome(later_day, self.end_of_day(r, later_day))
        if day in r.req.closures:
            r.warn(
                f"the clerk's office is marked inaccessible on the fixed date {day.isoformat()};"
                f" {self.cite('(a)(3)')} extends computed periods only: ask the court"
            )
        if isinstance(value, datetime):
            at = aware(r, value)
            if r.explain:
                r.step("order", day, at, f"the order sets the time: {at.strftime('%H:%M %Z')}")
            return Outcome(day, at)
        at = self.end_of_day(r, day)
        if r.explain:
            r.step(
                self.cite("(a)(4)(A)"),
                day,
                at,
                "the order sets no time: the day is taken to end at midnight court time for electronic"
                f" filing, as {self.cite('(a)(4)(A)')} defines the last day; for filing by other means,"
                " when the clerk's office closes",
            )
        return Outcome(day, at)


def wall_clock(r: Run, start: datetime, hours: int, forward: bool) -> datetime:
    """The wall-clock reading of an hour period: the clock time the hours add up to, in court
    time (normalised where that time does not exist)."""
    local = aware(r, start).replace(tzinfo=None)
    end = local + timedelta(hours=hours if forward else -hours)
    return end.replace(tzinfo=r.court.zone).astimezone(UTC).astimezone(r.court.zone)


def _zones(r: Run) -> str:
    """A district in two time zones: the court's own zone governs, whichever a party keeps."""
    if not r.court.other_zones:
        return ""
    where = "; ".join(f"{z.where} keeps {z.tz}" for z in r.court.other_zones)
    return (
        f"; court time is the clerk's office's zone even where the district spans another ({where})"
    )


class Appellate(Federal):
    """Fed. R. App. P. 26: courts of appeals."""

    id = "frap"
    name = "Fed. R. App. P. 26"
    rule = "Fed. R. App. P. 26"
    service_rule = "Fed. R. App. P. 26(c)"
    service_scope = "applies only 'after being served'"
    family = "frap"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added (delivered on the date of service)",
        "mail": "3 days after the period (26(c))",
        "mail-out-of-state": "3 days after the period (26(c))",
        "mail-out-of-country": "3 days after the period (26(c))",
        "overnight": "3 days after the period (26(c); commercial carrier, 25(c)(1)(C))",
        "leaving-with-clerk": "3 days after the period (26(c))",
        "consented": "3 days after the period (26(c))",
        "fax": "nothing added (delivered on the date of service)",
        "electronic": "3 days before 2016-12-01, nothing after (26(c))",
    }
    adds_three: ClassVar[frozenset[str]] = frozenset(
        {
            "mail",
            "mail-out-of-state",
            "mail-out-of-country",
            "overnight",
            "leaving-with-clerk",
            "consented",
        }
    )

    def __init__(self) -> None:
        super().__init__()
        #: (court id, the request's court appealed from) -> that district court, or None
        self._lower: dict[tuple[str, str | None], Court | None] = {}

    def clerk(self, court: Court) -> Court:
        """The court of appeals whose clerk's principal office's state counts (26(a)(6)(C)):
        the court itself, or, for a district court (a notice of appeal is filed there), the
        court of appeals of its circuit."""
        if court.kind == "district" and court.circuit:
            return get_court(court.circuit)
        return court

    def appealed_from(self, court: Court, appeal_from: str) -> Court:
        try:
            lower = get_court(appeal_from)
        except UnknownCourt as exc:
            raise UnknownCourt(f"the court appealed from: {exc}") from None
        if lower.kind != "district":
            raise ComputeError(
                f"the court appealed from must be a district court ({self.cite('(a)(6)(C)')} counts"
                f" the state of 'the district court that rendered the challenged judgment or"
                f" order'); {lower.id} is the {lower.name}"
            )
        if court.kind == "district":
            if lower.id != court.id:
                raise ComputeError(
                    f"{court.id} is a district court: under {self.rule} it is itself the court"
                    f" appealed from; compute in the court of appeals (--court {court.circuit})"
                    f" to name {lower.id} as the court appealed from"
                )
            return lower
        if court.kind != "appeals":
            raise ComputeError(
                f"a court appealed from is named for a court of appeals (or is the district court"
                f" itself); {court.id} is the {court.name}"
            )
        if court.id not in NATIONAL_APPEALS and lower.circuit != court.id:
            raise ComputeError(
                f"{lower.id} ({lower.short}) is in the circuit of {lower.circuit}: its judgments are"
                f" appealed to {lower.circuit} (or, in the cases 28 U.S.C. § 1295 names, to cafc),"
                f" not to {court.id}"
            )
        return lower

    def lower(self, r: Run) -> Court | None:
        """The district court appealed from: the request's, or the court itself when it is a
        district court; None when it is not named."""
        key = (r.court.id, r.req.appeal_from)
        if key not in self._lower:
            if r.court.kind == "district":
                found: Court | None = r.court
            elif r.req.appeal_from is None:
                found = None
            else:
                found = self.appealed_from(r.court, r.req.appeal_from)
            self._lower[key] = found
        return self._lower[key]

    def notes_key(self, r: Run) -> str:
        lower = self.lower(r)
        if lower is None or lower is r.court:
            return r.court.id
        return f"{r.court.id}<{lower.id}"

    def book_states(self, court: Court) -> tuple[str, ...]:
        """The circuit clerk's state, and the district court's: the court's own when it is a
        district court; for a court of appeals, the states of every district court whose
        judgments it reviews (which one counts depends on the request)."""
        if court.kind == "district":
            return tuple(dict.fromkeys((court.state, self.clerk(court).state)))
        if court.kind != "appeals":
            return (court.state,)
        lower = sorted(
            {
                c.state
                for c in all_courts().values()
                if c.kind == "district" and (c.circuit == court.id or court.id in NATIONAL_APPEALS)
            }
        )
        return tuple(dict.fromkeys((court.state, *lower)))

    def whose(self, r: Run, h: Holiday) -> str | None:
        court = r.court
        if court.kind not in ("district", "appeals"):
            return super().whose(r, h)
        clerk = self.clerk(court)
        lower = self.lower(r)
        name = state_name(h.state)
        roles = []
        if lower is not None and h.state == lower.state:
            roles.append(f"the state of the district court appealed from, {lower.short}")
        if h.state == clerk.state:
            roles.append(f"the state of the circuit clerk's principal office, {clerk.short}")
        if roles:
            return f"{name} ({' and '.join(roles)})"
        if lower is not None or r.req.fixed is not None:
            # the state of another district court; or a date fixed by the court, which is not
            # a computed period (only a holiday that is one for certain is said of it)
            return None
        r.touched.add("appeal_from_unnamed")
        r.warn(
            f"{self.cite('(a)(6)(C)')} also counts the holidays of the state of the district court"
            f" appealed from, which is not named (--appeal-from): {h.name}"
            f" ({day_name(h.day)}) is a holiday in {name}, where a district court of the circuit"
            " sits: both readings are shown"
        )
        if r.assume.appeal_from_unnamed:
            return None
        return f"{name} (where a district court of the circuit sits)"

    def year_notes(self, r: Run, anchor: date, forward: bool) -> None:
        self.check_years(r, anchor, federal_reviewed(), "federal holiday list")
        if forward:
            clerk = self.clerk(r.court)
            lower = self.lower(r) if r.court.kind in ("district", "appeals") else None
            roles = [(clerk.state, "the circuit clerk's principal office")]
            if lower is not None:
                roles.append((lower.state, "the district court appealed from"))
            for state, role in dict(reversed(roles)).items():
                sf = state_file(state)
                if sf is None:
                    r.warn(
                        f"the holiday list of {state} ({role}) is not yet reviewed: state holidays"
                        f" under {self.cite('(a)(6)(C)')} come from the holidays package's"
                        " state-employee list"
                    )
                else:
                    self.check_years(r, anchor, sf.reviewed, f"{sf.name} holiday list")
        if r.court.id in NEAR_DC:
            r.warn(
                "Inauguration Day is a legal holiday for federal employees in some counties of this"
                " district (5 U.S.C. 6103(c): Montgomery and Prince George's Counties, Md.; Arlington"
                " and Fairfax Counties, Alexandria and Falls Church, Va.): counted as in the courts"
                " of Washington, D.C., with a reading without it"
            )


class Criminal(Federal):
    """Fed. R. Crim. P. 45: criminal cases in district courts."""

    id = "frcrp"
    name = "Fed. R. Crim. P. 45"
    rule = "Fed. R. Crim. P. 45"
    service_rule = "Fed. R. Crim. P. 45(c)"
    service_scope = "applies only 'after being served'"
    family = "frcrp"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "3 days after the period (45(c); 49(a)(4)(C))",
        "mail-out-of-state": "3 days after the period (45(c))",
        "mail-out-of-country": "3 days after the period (45(c))",
        "leaving-with-clerk": "3 days after the period (45(c); 49(a)(4)(D))",
        "consented": "3 days after the period (45(c); 49(a)(4)(E))",
        "fax": "3 days after the period, as other means consented to (45(c))",
        "overnight": "3 days after the period, as other means consented to (45(c))",
        "electronic": "3 days before 2016-12-01, nothing after",
    }
