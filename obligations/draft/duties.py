"""Finding duties in sentences: the modal that imposes one, its subject (the party), its kind,
its condition, the consequences the order attaches, and its due rule in the when-language."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from obligations.draft.dates import (
    COUNT,
    DATE_NO_YEAR,
    MONTHS,
    TIME,
    count_value,
    find_dates,
    time_value,
)

_MODAL = re.compile(
    r"\b(?:shall|must|will|should|may(?!\s+\d{1,2}\b)|(?:has|have)\s+leave\s+to|"
    r"(?:is|are)\s+(?:hereby\s+|kindly\s+|respectfully\s+|further\s+|also\s+)*(?:ordered|directed|required|instructed|permitted|authorized|expected|granted\s+leave|given\s+leave|reminded|requested|invited)\s+to|"
    r"(?:is|are)\s+to(?=\s+(?:\w+\s+)?(?:file|serve|submit|appear|produce|meet|confer|communicate|provide|lodge|pay|respond|notify|deliver|return|complete|exchange|disclose|again|place|enter|mail|send|close|terminate|issue|forward|transmit|prepare))|"
    r"(?:is|are|has\s+been|have\s+been)\s+(?:hereby\s+|tentatively\s+|now\s+|further\s+)*(?:set|scheduled|reset|continued|rescheduled)\s+(?:for|to|on)|"
    r"(?<=[a-z]\s)(?:set|reset|scheduled|rescheduled|continued)\s+(?:for|to)(?=\s+(?:\w+,?\s+){0,2}\d)|"
    r"(?:(?<=[a-z]\s)|(?:is|are)\s+)due(?:\s+(?:by|on|no\s+later\s+than|on\s+or\s+before))?(?=\s+(?:\w+,?\s+){0,3}\d)|(?:is|are)\s+due|requires?\s+(?:the\s+)?(?:parties|plaintiffs?|defendants?|counsel|each\s+party)\s+to|"
    r"will\s+require\s+the|right\s+of\s+(?:either|each|any)\s+party\s+to)\b",
    re.IGNORECASE,
)
_CONSEQUENCE = re.compile(
    r"\b(?:may|will|shall|could|can|might)\s+(?:not\s+hesitate\s+to\s+|also\s+)?(?:be\s+)?"
    r"(?:deemed|result|dismiss\w*|subject\w*|sanction\w*|impose\w*|lead|constitute\w*|waive\w*|strik\w+|stricken|entered|recommend\w*|grounds?|considered\s+a\s+waiver|enter\s+default|held\s+in\s+contempt)\b"
    r"|\bbe\s+prepared\s+to\s+be\s+sanctioned|\bfailure\s+to\s+\w+.{0,200}?\b(?:may|will|shall|could)\b",
    re.IGNORECASE | re.DOTALL,
)
_PROHIBITION = re.compile(
    r"\b(?:shall|must|may|will|should|can)\s+not\b|\b(?:shall|must|may)n[o']t\b"
    r"|\bno\s+(?:[\w'’-]+\s+){0,8}(?:shall|may|will|must)\b|\bnor\s+(?:shall|may)\b"
    r"|\b(?:prohibited|precluded|barred|enjoined|refrain)\b",
    re.IGNORECASE,
)
_RECURRING = re.compile(
    r"\b(?:whenever|each\s+time|every\s+time)\b(?P<ev>[^,;]{3,160})", re.IGNORECASE
)
_CONDITION = re.compile(
    r"\b(?:if|unless|in\s+the\s+event(?:\s+that)?|to\s+the\s+extent|only\s+after|only\s+if|upon\s+a\s+showing)\b"
    r"(?!\s+any\b)(?!\s+necessary\b)(?!\s+applicable\b)(?!\s+possible\b)[^;:]{3,240}?(?=,|;|$|\.\s|\.$)",
    re.IGNORECASE,
)

_ROLES: tuple[tuple[str, str], ...] = (
    (
        r"(?:each|either|any|all|both|the)\s+(?:of\s+the\s+)?part(?:y|ies)|parties|counsel(?:\s+for\s+(?:the\s+|all\s+)?parties)?|(?:the\s+)?(?:non-?)?moving\s+party|(?:the\s+)?responding\s+party|(?:the\s+)?opposing\s+party|all\s+counsel|lead\s+trial\s+counsel",
        "both",
    ),
    (
        r"plaintiffs?(?:['’]s?)?(?:\s+counsel)?|petitioners?|appellants?|claimants?|relators?|movants?|the\s+government|the\s+united\s+states|the\s+people|the\s+state",
        "plaintiff",
    ),
    (
        r"defendants?(?:['’]s?)?(?:\s+counsel)?|respondents?|appellees?|debtors?|the\s+debtor",
        "defendant",
    ),
    (
        r"the\s+clerk(?:\s+of\s+(?:the\s+)?court)?|clerk\s+of\s+court|court\s+reporter|the\s+court\s+reporter|the\s+marshal|united\s+states\s+marshal|the\s+trustee|trustee|the\s+receiver|the\s+special\s+master|the\s+mediator",
        "named",
    ),
    (r"the\s+court|the\s+undersigned|this\s+court|the\s+judge", "court"),
)
#: the words of a paper or a setting, which a capitalised subject may be but a party is not
_THING = re.compile(
    r"\b(?:conference|hearing|trial|report|motion|brief|order|status|statement|call|argument|"
    r"discovery|deadline|response|reply|appendix|disclosures?|schedule|session|pleadings?|"
    r"recommendation|objections?|findings|record|transcript|judgment|complaint|answer)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"^(?:he|she|it|they|its|his|her|their)$", re.IGNORECASE)


def party_of(subject: str, context: str) -> tuple[str, str]:
    """(party, review): the party a subject names, mapped to plaintiff / defendant / both /
    court / the name; a pronoun is resolved from the sentence before it, or flagged."""
    s = subject.strip().lower()
    s = re.sub(r"^(?:and|or|but|then|that|also|further|thereafter)\s+", "", s)
    words = s.split()
    if words and _PRONOUN.match(words[-1]) and len(words) <= 2:
        # the last party named before the pronoun
        best: tuple[int, str] | None = None
        low = context.lower()
        for pattern, who in _ROLES:
            for m in re.finditer(rf"\b(?:{pattern})\b", low):
                if best is None or m.start() > best[0]:
                    value = m.group(0) if who == "named" else who
                    best = (m.start(), value)
        if best is None:
            return "both", f"party unclear: '{subject.strip()}' names no party in the sentence"
        who = best[1]
        if who == "both" and words[-1] in ("he", "she", "it", "its", "his", "her"):
            return "both", f"party unclear: '{subject.strip()}'"
        return (who if who != "court" else "court"), ""
    for pattern, who in _ROLES:
        hit = re.search(rf"\b(?:{pattern})\b", s)
        if hit:
            if who == "named":
                return "the " + re.sub(r"^the\s+", "", hit.group(0)), ""
            if who in ("plaintiff", "defendant") and re.search(r"\band\b", s):
                other = "defendant" if who == "plaintiff" else "plaintiff"
                if re.search(rf"\b(?:{_ROLES[1 if other == 'plaintiff' else 2][0]})\b", s):
                    return "both", ""
            return who, ""
    named = re.search(r"\b((?:[A-Z][\w.&'’-]*\s+){0,4}[A-Z][\w.&'’-]*)\s*$", subject.strip())
    if (
        named
        and named.group(1) not in ("The", "This", "Such", "All", "Any", "Each", "No", "It")
        and not _THING.search(named.group(1))
    ):
        return named.group(1), ""
    return "both", ""


@dataclass(slots=True)
class Duty:
    """One duty found: spans are in the cleaned text."""

    start: int
    end: int
    cite: str
    block: int
    party: str
    kind: str
    summary: str
    verb: str
    due: str | None = None
    source_start: int = -1
    source_end: int = -1
    condition: str = ""
    consequence: str = ""
    review: str = ""
    on: str = ""
    id: str = ""
    reviews: list[str] = field(default_factory=list)


def _valid_modal(sentence: str, m: re.Match[str]) -> bool:
    word = m.group(0).lower()
    before = sentence[: m.start()]
    after = sentence[m.end() :]
    if re.search(
        r"\b(?:whether|why|because|since|so\s+that|in\s+order\s+that|explaining)\b[^.;]{0,120}$",
        before,
        re.IGNORECASE,
    ):
        return False
    if word.startswith("require") and re.search(r"\bnot\s+$", before):
        return False
    if word.startswith("require") and re.search(
        r"\b(?:rule|rules|§|u\.s\.c|act|code|statute|order|procedure)\b[^.;]{0,40}$", before, re.I
    ):
        return False  # a rule's requirement, recited
    if re.search(
        r"\b(?:argues?|contends?|asserts?|claims?|notes?|suggests?|seeks?|explains?|states?|maintains?|believes?|agrees?|asks?|provides?|directs?|requires?|mandates?)\s+that\b[^.;]{0,160}$",
        before,
        re.IGNORECASE,
    ):
        return False  # what someone says, not what the court orders
    subj = _subject(before).strip()
    if re.match(
        r"(?:a|an)\s+(?:party|plaintiff|defendant|court|district\s+court|litigant|person)\b",
        subj,
        re.IGNORECASE,
    ):
        return False  # a rule stated in general ("a party may amend only ...")
    if re.match(
        r"\s+(?:not\s+)?(?:remain|continue\s+to\s+be|apply|govern|proceed|be\s+(?:stayed|closed|dismissed|denied|granted|vacated|held\s+in\s+abeyance|required|given|notified|permitted\s+to\s+continue))\b",
        after,
        re.IGNORECASE,
    ) and not re.search(
        r"\b(?:part(?:y|ies)|plaintiffs?|defendants?|counsel|petitioners?|respondents?|appellants?|appellees?)\b",
        subj,
        re.IGNORECASE,
    ):
        return False  # what becomes of the case, not a duty
    if re.match(r"(?:set|reset|scheduled|rescheduled|continued|due)\b", word):
        # the bare forms of a minute order ("Status Conference set for", "Report due by"):
        # not a past deadline recited ("The opposition was originally due"), nor a setting
        # being vacated
        if re.search(
            r"\b(?:was|were|been|had|originally|previously|formerly|initially|then)\s*$",
            before,
            re.I,
        ):
            return False
        if re.search(r"\b(?:vacated|cancel+ed|taken\s+off|stricken|withdrawn)\b", after, re.I):
            return False
        if re.search(r"\b(?:request|motion|stipulation)\s+(?:that|to)\b", before, re.I):
            return False
    if before.count("(") > before.count(")"):
        return False  # inside a parenthesis: "(proof of service must be filed within 21 days)"
    if word == "should" and (
        re.search(r"(?:^|[,;(]|\bif|\band)\s*$", before)
        and re.match(
            r"\s+(?:the|a|an|any|either|he|she|it|they|plaintiff|defendant|such)\b",
            after,
            re.IGNORECASE,
        )
    ):
        return False
    if word == "should" and re.match(r"\s+be\s+prepared\s+to\s+be", after):
        return False
    if word in ("will", "may"):
        subject = _subject(before)
        court = re.search(r"\b(?:court|undersigned|judge)\b", subject, re.IGNORECASE)
        if court and word == "will" and not re.match(r"\s+(?:hold|conduct|convene)\b", after):
            return False
        if word == "may":
            if re.match(
                r"\s+(?:be|have|also\s+be|result|constitute|not\s+be\s+(?:used|cited))\b", after
            ) and not re.search(r"\bno\b", subject, re.IGNORECASE):
                return False
            if court:
                return False
            if not re.search(
                r"\b(?:part(?:y|ies)|plaintiffs?|defendants?|counsel|petitioners?|respondents?|debtors?|trustee|movants?|appellants?|appellees?|no|they|either|each|any|clerk|secretary|commissioner|government|state|agency|amici|amicus)\b",
                subject,
                re.IGNORECASE,
            ) and not re.search(r"\bno\b", subject, re.IGNORECASE):
                return False
        if word == "will" and re.match(r"\s+be\s+(?:held|conducted)\b", after):
            return not re.search(r"\bno\b", subject, re.IGNORECASE) and bool(
                re.search(r"hearing|conference|argument|trial|call|session", subject, re.IGNORECASE)
            )
        if word == "will" and re.match(
            r"\s+be\s+(?:required|notified|given|permitted|allowed)\b", after
        ):
            return False
        if word == "will" and not re.search(
            r"\b(?:part(?:y|ies)|plaintiffs?|defendants?|counsel|petitioners?|respondents?|debtors?|trustee|they|movants?|clerk)\b",
            subject,
            re.IGNORECASE,
        ):
            return False
    return not (
        word in ("shall", "must", "will", "should")
        and re.match(r"\s+(?:not\s+)?(?:be\s+)?(?:deemed|result\w*|constitute\w*)\b", after)
    )


def _subject(before: str) -> str:
    """The words before the modal back to the clause boundary."""
    cut = max(
        before.rfind(","),
        before.rfind(";"),
        before.rfind(":"),
        *(
            m.end()
            for m in re.finditer(r"\b(?:that|ORDERED|and|but|where|when|which|who)\b", before)
        ),
    )
    return before[cut + 1 :] if cut >= 0 else before


_IT_IS_SO = re.compile(r"^\s*(?:IT\s+IS\s+)?SO\s+ORDERED", re.IGNORECASE)


_PARTY_NOUN = (
    r"(?:(?:the|each|either|all|both)\s+)?(?:part(?:y|ies)|plaintiffs?|defendants?|counsel|petitioners?|respondents?|"
    r"appellants?|appellees?|debtors?|trustee|movants?|relators?|claimants?|clerk(?:\s+of\s+(?:the\s+)?court)?|"
    r"government|attorneys?)"
)
#: the court ordering a party to act: "ORDERS plaintiff to SHOW CAUSE", "we ORDER appellant to
#: file", "directs counsel to"; the party is the object, not the subject
_ORDER_TO = re.compile(
    rf"\b(?:ORDERS?|ORDERED|[Oo]rders?|DIRECTS?|[Dd]irects?|[Ii]nstructs?|INSTRUCTS?|[Rr]equests?|REQUESTS?)\s+(?P<who>(?:[A-Z][\w.'’-]*\s+){{0,3}}(?i:{_PARTY_NOUN})(?:\s+and\s+(?i:{_PARTY_NOUN}))?|(?:[A-Z][\w.'’-]*\s+){{1,3}})\s*,?\s+(?i:to)\b",
)
#: "ORDERED that appellant show cause": a subject and a bare verb, no modal
_SUBJUNCTIVE = re.compile(
    rf"\b(?:ORDERED|[Oo]rdered|DIRECTED|REQUIRED)\s*,?\s+that\s*,?\s+(?:[^,;]{{0,80}},\s*)?(?P<who>(?:[A-Z][\w.'’-]*\s+){{0,3}}{_PARTY_NOUN}(?:\s+and\s+{_PARTY_NOUN})?)\s+(?:each\s+|jointly\s+|promptly\s+)?(?!shall\b|must\b|will\b|may\b|is\b|are\b|be\b|has\b|have\b|was\b|were\b|should\b|can\b|could\b|and\b|or\b|to\b)(?=[a-z]+\b)",
)
#: "The Court will consider as an appropriate response to this Order the filing of ...": a
#: party's alternative way to comply, a permission
_WILL_CONSIDER = re.compile(
    r"\b(?:the\s+)?court\s+will\s+(?:also\s+)?consider\b[^.;]{0,160}?\bthe\s+filing\s+of\b",
    re.IGNORECASE,
)
#: "ORDERED that oral argument ... be heard on ...": a setting or a paper, in the passive
_SUBJ_PASSIVE = re.compile(
    r"\b(?:ORDERED|[Oo]rdered)\s*,?\s+that\s*,?\s+(?P<who>(?:the\s+|any\s+|all\s+|a\s+|an\s+)?[A-Za-z][\w\s'’-]{2,80}?)\s+be\s+(?:heard|held|filed|served|submitted|set|scheduled|completed|made|produced|lodged|delivered|paid)\b"
)
#: "It is plaintiff's responsibility to respond"
_RESPONSIBILITY = re.compile(
    r"\b[Ii]t\s+is\s+(?:the\s+)?(?P<who>[\w'’ -]{2,40}?)['’]?s?\s+(?:responsibility|duty|obligation)\s+to\b"
)
_DEADLINE_IS = re.compile(
    r"\b(?:the\s+)?(?:due\s+date|deadline|cut-?off(?:\s+date)?)\s+(?:for|to|by\s+which)\b[^.;]{0,240}?\b(?:is|are|shall\s+be|will\s+be)\b(?:\s+now|\s+hereby)?(?:\s+(?:extended|reset|continued|moved))?(?:\s+(?:to|until))?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Modal:
    """The words that impose a duty: where they are, and the subject when it is not the words
    before them (the object of "ORDERS plaintiff to")."""

    begin: int
    finish: int
    words: str
    who: str = ""

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self, _: int = 0) -> str:
        return self.words


_NOT_IMPOSED = re.compile(
    r"^\s*(?:see|cf|id|accord|but\s+see|e\.g)\b|\b(?:provides?|provided|states?|stated|reads?)\s+(?:in\s+(?:pertinent|relevant)\s+part\s*)?(?:that\s*)?[:“\"]"
    r"|\b(?:our|the\s+court['’]s|the|that|its|prior|previous|earlier)\s+(?:prior\s+|previous\s+|earlier\s+)?order\s+(?:stated|required|directed|provided|said)\b"
    r"|\b(?:court|we|undersigned)\s+(?:previously\s+)?(?:ordered|directed|required|instructed)\b",
    re.IGNORECASE,
)


def find_modal(sentence: str) -> Modal | None:
    if _IT_IS_SO.match(sentence) or _NOT_IMPOSED.search(sentence):
        return None
    if not re.search(r"[a-z]", sentence) and len(sentence.split()) < 15:
        return None  # a heading ("ORDER FOR PARTIES TO APPEAR")
    found: list[Modal] = []
    for m in _ORDER_TO.finditer(sentence):
        if re.search(r"\b(?:will|would|to|shall|may)\s+$", sentence[: m.start()]):
            continue  # "the court will order plaintiff to show cause": said, not yet ordered
        if not re.search(
            r"\b(?:why|whether|because|since)\b[^.;]{0,80}$", sentence[: m.start()], re.IGNORECASE
        ):
            found.append(Modal(m.start("who"), m.end(), m.group(0), m.group("who")))
            break
    m2 = _SUBJUNCTIVE.search(sentence)
    if m2:
        found.append(Modal(m2.start("who"), m2.end(), m2.group(0), m2.group("who")))
    for m in _MODAL.finditer(sentence):
        if _valid_modal(sentence, m):
            found.append(Modal(m.start(), m.end(), m.group(0)))
            break
    m6 = _WILL_CONSIDER.search(sentence)
    if m6:
        who = re.search(
            r"\b(?:by|of)\s+(?P<w>(?:the\s+)?(?:plaintiffs?|defendants?|petitioners?|respondents?|appellants?|appellees?|parties))\b",
            sentence[m6.end() :],
            re.I,
        )
        found.append(Modal(m6.start(), m6.end(), m6.group(0), who.group("w") if who else "both"))
    m4 = _SUBJ_PASSIVE.search(sentence)
    if (
        m4
        and not re.search(r"\b(?:granted|denied|vacated|dismissed)\b", m4.group("who"))
        and (find_dates(sentence) or re.search(r"\b(?:within|days?|weeks?)\b", sentence))
    ):
        found.append(Modal(m4.start("who"), m4.end(), m4.group(0), "both"))
    m5 = _RESPONSIBILITY.search(sentence)
    if m5:
        found.append(Modal(m5.start("who"), m5.end(), m5.group(0), m5.group("who")))
    m3 = _DEADLINE_IS.search(sentence)
    if m3:
        found.append(Modal(m3.start(), m3.end(), m3.group(0), "both"))
    if not found:
        return None
    return min(found, key=lambda x: x.begin)


def is_consequence(sentence: str, modal: Modal | None) -> bool:
    c = _CONSEQUENCE.search(sentence)
    if not c:
        return False
    if modal is None:
        return True
    # a duty with a warning attached ("shall file ... or the case will be dismissed") stays a duty
    return (
        c.start() <= modal.start() + 2
        and not re.match(
            r"\s*(?:show\s+cause|file|serve|appear)", sentence[modal.end() :], re.IGNORECASE
        )
        and not re.search(
            r"\bshow\s+cause\b", sentence[modal.end() : modal.end() + 30], re.IGNORECASE
        )
    )


_STOP = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "and",
    "or",
    "in",
    "on",
    "for",
    "with",
    "its",
    "his",
    "her",
    "their",
    "all",
    "any",
    "such",
    "each",
    "this",
    "that",
    "be",
    "by",
    "as",
    "at",
    "from",
    "also",
    "again",
    "shall",
    "must",
    "will",
    "may",
    "should",
    "have",
    "has",
    "not",
    "no",
    "which",
    "if",
    "is",
    "are",
    "within",
    "than",
    "later",
    "days",
    "day",
    "so",
    "upon",
    "hereby",
    "it",
    "they",
    "them",
    "these",
    "those",
    "both",
    "either",
    "whether",
    "well",
    "after",
    "before",
}


def summary_of(sentence: str, modal: Modal) -> tuple[str, str]:
    """(summary, verb): the few words after the modal that say what is to be done."""
    if re.match(r"(?:the\s+)?(?:due\s+date|deadline|cut-?off)", modal.words, re.IGNORECASE):
        inner = re.sub(
            r"^(?:the\s+)?(?:due\s+date|deadline|cut-?off(?:\s+date)?)\s+(?:for|to|by\s+which)\s+",
            "",
            modal.words,
            flags=re.IGNORECASE,
        )
        inner = re.split(r"\s+(?:is|are|shall|will)\b", inner)[0]
        words = re.findall(r"[A-Za-z][A-Za-z'’-]*", inner)[:8]
        return " ".join(words).lower(), (words[0].lower() if words else "")
    after = sentence[modal.end() :]
    after = re.sub(
        r"^\s*(?:not\s+|also\s+|hereby\s+|jointly\s+|promptly\s+|immediately\s+|each\s+|then\s+|again\s+|to\s+)+",
        " ",
        after,
    )
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", after.split(",")[0].split(";")[0])[:8]
    if not words:
        words = re.findall(r"[A-Za-z][A-Za-z'’-]*", sentence)[:6]
    passive = re.match(
        r"\s*(?:be|is|are)\s+(?:\w+ly\s+)?(?P<verb>\w+(?:ed|en|ld|de|wn|ne|ue))\b", after
    ) or re.match(r"\s*(?:set|scheduled|reset)\b", after)
    if passive or (
        re.match(
            r"(?:is|are|has|have|set|reset|scheduled|rescheduled|continued|due)\b",
            modal.words,
            re.I,
        )
        and not re.search(r"\bto$", modal.words.strip())
    ):
        # "Any motion for a continuance shall be filed", "The trial ... is set for": what is
        # filed or set says more than the verb
        subject = (
            modal.who if modal.who not in ("", "both") else _subject(sentence[: modal.start()])
        )
        subject = re.sub(
            r"^\s*(?:and\s+|or\s+)?(?:any|all|the|each|a|an|such|every)\s+",
            "",
            subject.strip(),
            flags=re.I,
        )
        head = re.findall(
            r"[A-Za-z][A-Za-z'’-]*", re.split(r"\s(?:of|in|to|by|with|on|under)\s", subject)[0]
        )
        if head and len(head) <= 6:
            verb = (
                passive.group("verb").lower() if passive and "verb" in passive.re.groupindex else ""
            )
            summary = " ".join([*head[:4], *([verb] if verb else [])]).lower()
            return summary, verb or "set"
    summary = " ".join(words).lower()
    verb = words[0].lower() if words else ""
    return summary, verb


def slug(summary: str) -> str:
    words = [w.strip("'’-") for w in re.split(r"[^a-z0-9'’-]+", summary.lower())]
    words = [w.replace("'", "").replace("’", "") for w in words if w and w not in _STOP]
    s = "-".join(words[:2]).strip("-") or "duty"
    s = re.sub(r"-+", "-", s)
    if not re.match(r"[a-z]", s):
        s = "duty-" + s
    return s[:48].rstrip("-")


# ---- due rules --------------------------------------------------------------------------------

_UNIT = r"(?P<unit>(?:calendar|court|business|judicial|working)\s+days?|days?|weeks?|months?|years?|hours?)"
_PERIOD = re.compile(
    rf"(?P<lead>within|no\s+later\s+than|not\s+later\s+than|no\s+less\s+than|not\s+less\s+than|at\s+least|on\s+or\s+before|by|before|no\s+more\s+than)?\s*"
    rf"{COUNT}\s*{_UNIT}\s*(?P<dir>of|after|from|following|before|prior\s+to|in\s+advance\s+of|thereafter|preceding)?",
    re.IGNORECASE,
)
_FIXED_LEAD = re.compile(
    r"(?P<lead>no\s+later\s+than|not\s+later\s+than|on\s+or\s+before|by|before|until|through|on|for|at|to|is|are|:|due)?\s*(?:(?:the\s+)?close\s+of\s+business\s+(?:on\s+)?)?(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s*)?$",
    re.IGNORECASE,
)
_TIME_BEFORE = re.compile(r"(?:" + TIME.pattern + r")\s*,?\s*(?:on\s+)?$", re.IGNORECASE)
_ORDER_ANCHOR = re.compile(
    r"^(?:the\s+)?(?:(?:date\s+of\s+)?(?:the\s+)?(?:entry|issuance|filing|date|signing|docketing|electronic\s+filing)\s+(?:of\s+|on\s+the\s+docket\s+of\s+)?)?"
    r"(?:this|the\s+(?:instant|present|within))\s+(?:court['’]s\s+)?(?:minute\s+)?(?:memorandum\s+(?:and\s+)?)?(?:opinion\s+(?:and\s+)?)?(?:order|ruling|decision)\b"
    r"|^(?:the\s+)?(?:date\s+)?hereof\b|^(?:the\s+)?entry\s+(?:hereof|of\s+this\s+order)|^today\b|^the\s+date\s+of\s+this\s+(?:order|ruling)",
    re.IGNORECASE,
)
_SERVICE_OF_ORDER = re.compile(
    r"^(?:the\s+)?(?:date\s+of\s+)?service\s+of\s+(?:this|the\s+instant)\s+order", re.IGNORECASE
)
_NOUNS_OF = {
    "service": "serve",
    "filing": "file",
    "production": "produce",
    "return": "return",
    "submission": "submit",
    "delivery": "deliver",
    "disclosure": "disclose",
    "payment": "pay",
    "completion": "complete",
    "receipt": "receive",
    "notice": "notify",
    "designation": "designate",
    "lodging": "lodge",
    "exchange": "exchange",
}
_IRREGULAR = {
    "made": "make",
    "given": "give",
    "sent": "send",
    "paid": "pay",
    "held": "hold",
    "taken": "take",
}


def _verb_of_participle(word: str) -> str:
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w in _NOUNS_OF:
        return _NOUNS_OF[w]
    if w.endswith("ed"):
        return w[:-2]
    if w.endswith("ing"):
        return w[:-3]
    return w


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP}


@dataclass(frozen=True, slots=True)
class Rule:
    due: str | None
    review: str
    start: int
    end: int
    cuts: tuple[tuple[int, int], ...] = ()  # the spans of the parts, when they conflict


def _anchor(
    phrase: str, duties: list[Duty], text: str, entered: date | None
) -> tuple[str | None, str]:
    """(anchor, review) for the words a period counts from."""
    p = phrase.strip().strip(",.;:")
    low = p.lower()
    if not p:
        return None, "the period's starting point is not stated"
    if _ORDER_ANCHOR.match(p):
        return "order", ""
    if _SERVICE_OF_ORDER.match(p):
        return None, "counted from service of this order: the day it is served is not in the order"
    ds = find_dates(p)
    if ds and ds[0][0] <= 12:
        return ds[0][2].isoformat(), ""
    if ds and len(ds) == 1 and len(p.split()) <= 10:
        # "before the hearing on March 3, 2025", "after the conference set for ...": the day given
        lead = p[: ds[0][0]]
        if re.search(
            r"\b(?:on|set\s+for|scheduled\s+for|held\s+on|of)\s*$", lead, re.I
        ) and not re.search(r"\b(?:or|and|later|earlier|whichever)\b", lead, re.I):
            return ds[0][2].isoformat(), ""
    words = re.findall(r"[a-z]+", low)
    # another duty of this order: a participle or noun of its verb and a shared word
    cands: list[Duty] = []
    for d in duties:
        if not d.verb:
            continue
        forms = {_verb_of_participle(w) for w in words}
        verb = d.verb.rstrip("e")
        if any(f.rstrip("e") == verb for f in forms):
            shared = _stems(p) & _stems(text[d.start : d.end])
            if len(shared) >= 1:
                cands.append(d)
    if len(cands) == 1:
        return cands[0].id, ""
    if len(cands) > 1:
        return (
            None,
            f"the period counts from '{p}': more than one duty of this order could be meant ({', '.join(c.id for c in cands)})",
        )
    linked = _named_duty(low, duties, text)
    if linked:
        return linked, f"read as counted from {linked} ('{p}'): check that this is the duty meant"
    if (
        re.search(r"\b(?:such|same|which|that|it|whichever|earlier|later|or)\b", low)
        or len(words) > 7
    ):
        return None, f"the period counts from '{p}': which event is meant is not clear"
    tokens = re.findall(r"[a-z0-9]+", low)
    content = [
        w for w in tokens if w not in _STOP and w not in ("date", "court", "s") and len(w) > 1
    ]
    name = "-".join(content[:3]) if content else ""
    if not re.match(r"[a-z]", name) or re.match(r"[0-9]+-[0-9]", name):
        name = ""
    if name in ("order", "duty", ""):
        return None, f"the period counts from '{p}': which event is meant is not clear"
    if any(d.id == name for d in duties):
        name += "-event"  # an event, not the duty that happens to bear its words
    return name, ""


_ANCHOR_NOISE = {
    "the",
    "date",
    "deadline",
    "of",
    "for",
    "a",
    "an",
    "set",
    "scheduled",
    "s",
    "service",
    "filing",
    "served",
    "filed",
    "by",
    "on",
    "his",
    "her",
    "their",
    "its",
    "said",
    "above",
    "this",
    "in",
    "court",
    "courts",
    "day",
    "time",
    "to",
    "be",
    "is",
    "being",
    "receipt",
    "received",
    "and",
}
_COMPLETION = re.compile(
    r"\b(?:service|served|filing|filed|receipt|received|return|returned|submission|submitted)\b"
)


def _named_duty(low: str, duties: list[Duty], text: str) -> str | None:
    """Another duty of this order named by what it sets or produces: "prior to trial" (the
    trial setting: its date, ``trial.due``), "after the pretrial motion deadline" (its due
    date), "service of petitioner's initial brief" (its completion). One duty only."""
    content = [w for w in re.findall(r"[a-z]+", low) if w not in _ANCHOR_NOISE and len(w) > 2]
    if not content or len(content) > 5:
        return None
    hits = []
    for d in duties:
        if not d.due or _periodic(d.due):
            continue
        head = (d.summary + " " + text[d.start : d.end][:100]).lower()
        if all(re.search(rf"\b{re.escape(w[:5])}", head) for w in content):
            hits.append(d)
    if len(hits) > 1:
        named = [
            d for d in hits if all(re.search(rf"\b{re.escape(w[:5])}", d.summary) for w in content)
        ]
        hits = named or hits
    if len(hits) > 1:
        settings = [d for d in hits if (d.due or "").startswith("on ")]
        hits = settings if len(settings) == 1 else hits
    if len(hits) != 1:
        return None
    d = hits[0]
    if _COMPLETION.search(low) and "deadline" not in low:
        return d.id
    return f"{d.id}.due"


def _periodic(due: str) -> bool:
    """A series has no one date: nothing may count from it or be due with it."""
    return due.startswith("every ") or " every " in due


_SAME_AS = re.compile(
    r"\b(?P<lead>by|no\s+later\s+than|on\s+or\s+before|within|at)\s+(?:no\s+later\s+than\s+)?(?:the\s+time\s+of\s+)?"
    r"(?P<ref>(?:said|that|the\s+same|such|this)\s+(?P<what>deadline|date|time|period|hearing|conference|trial)"
    r"|the\s+(?P<named>(?:[\w-]+\s+){1,4})deadline)\b",
    re.IGNORECASE,
)


def _same_as(
    m: re.Match[str], duties: list[Duty], text: str, previous: Duty | None
) -> tuple[str, str] | None:
    """A time stated by pointing at another duty's: "within that time" (its rule),
    "by said deadline" (its due date), "no later than the pretrial motion deadline" (the duty
    it names), "at this hearing" (the setting's date)."""
    if m.group("named"):
        name = _named_duty(m.group("named").lower(), duties, text)
        if name is None:
            return None
        name = name if name.endswith(".due") else name + ".due"
        return f"by {name}", f"'{m.group(0)}' read as the due date of {name[:-4]}"
    what = (m.group("what") or "").lower()
    duties = [d for d in duties if d.due and not _periodic(d.due)]
    if what in ("hearing", "conference", "trial"):
        for d in reversed(duties):
            if (
                d.due
                and d.due.startswith("on ")
                and what in (d.summary + text[d.start : d.end]).lower()
            ):
                return d.due, f"'{m.group(0)}' read as the setting of {d.id}"
        return None
    last = duties[-1] if duties and duties[-1].due else None
    if last is None:
        last = next((d for d in reversed(duties) if d.due), None)
    if last is None or last.due is None:
        return None
    if what in ("time", "period"):
        return last.due, f"'{m.group(0)}' read as the time of {last.id}"
    return f"by {last.id}.due", f"'{m.group(0)}' read as the due date of {last.id}"


_EVERY = re.compile(
    rf"\band\s+(?:every|each)\s+{COUNT}\s*(?P<unit>days?|weeks?|months?|court\s+days?)\s+thereafter\b",
    re.IGNORECASE,
)


def _every(sentence: str, parts: list[Rule]) -> Rule | None:
    """ "On or before October 11, 2010, and every 28 days thereafter": a series."""
    m = _EVERY.search(sentence)
    if not m or not parts:
        return None
    n = count_value(m)
    first = [p for p in parts if p.start < m.start()]
    if n is None or not first or not first[-1].due or n < 1:
        return None
    unit, review = _unit(m.group("unit"), n)
    reviews = [r for r in (first[-1].review, review) if r]
    until = re.search(r"\b(?:until|through)\b[^.;]{3,80}", sentence[m.end() :], re.IGNORECASE)
    if until:
        reviews.append(
            f"the series ends '{until.group(0).strip()}': write 'until EVENT' once it is named"
        )
    rest = [p for p in parts if p.start > m.end()]
    if rest:
        return None
    return Rule(
        f"{first[-1].due} and every {n} {unit} thereafter",
        "; ".join(reviews),
        first[-1].start,
        m.end(),
    )


def _candidates(
    sentence: str, used: list[tuple[int, int]], past: list[tuple[int, int, date]], parts: list[Rule]
) -> Iterator[tuple[int, int, date, bool]]:
    """The dates of a sentence not inside a period already read, each with False; then, once
    they are read, a date before the order's own day (set aside by the caller in ``past``)
    with True, but only when no other date or period was read, it is the sentence's one such
    date, and a deadline word leads it (an amended schedule restating a past deadline: "shall
    be completed on or before April 1, 2018")."""
    for s, e, d in find_dates(sentence):
        if not any(a <= s < b for a, b in used):
            yield s, e, d, False
    if not parts and len(past) == 1:
        s, e, d = past[0]
        lead = sentence[max(0, s - 30) : s]
        if re.search(r"(?:no\s+later\s+than|on\s+or\s+before|\bby|\bdue)\s*$", lead, re.I):
            yield s, e, d, True


def _unit(u: str, n: int) -> tuple[str, str]:
    u = u.lower()
    review = ""
    if u.startswith(("court", "business", "judicial", "working")):
        base = "court day"
        if not u.startswith("court"):
            review = f"'{u}' read as court days"
    elif u.startswith("calendar") or u.startswith("day"):
        base = "day"
    else:
        base = u.rstrip("s")
    return (base + ("s" if n != 1 else "")), review


_UNIT_WORD = re.compile(r"(?:day|week|month|year|hour)s?\b", re.IGNORECASE)


def due_rule(
    sentence: str,
    offset: int,
    duties: list[Duty],
    text: str,
    entered: date | None,
    previous: Duty | None,
) -> Rule | None:
    """The due rule the sentence states, with the span of the words it was read from; ``None``
    when it states no time. A rule that cannot be written exactly has ``due`` None and a review."""
    parts: list[Rule] = []
    used: list[tuple[int, int]] = []
    periods = _PERIOD.finditer(sentence) if _UNIT_WORD.search(sentence) else iter(())
    for m in periods:
        n = count_value(m)
        if not m.group("unit"):
            continue
        direction = (m.group("dir") or "").lower()
        lead = (m.group("lead") or "").lower()
        if n is None:
            parts.append(
                Rule(
                    None,
                    f"the count in '{m.group(0).strip()}' is not clear (words and figures differ)",
                    m.start(),
                    m.end(),
                )
            )
            used.append((m.start(), m.end()))
            continue
        if n == 0 or n > 10000:
            continue
        unit, unit_review = _unit(m.group("unit"), n)
        if direction == "thereafter":
            if previous is None or not previous.id or _periodic(previous.due or ""):
                parts.append(
                    Rule(None, "'thereafter': the duty it follows is not clear", m.start(), m.end())
                )
            else:
                parts.append(
                    Rule(
                        f"{n} {unit} after {previous.id}",
                        "'thereafter' read as counted from the completion of "
                        + previous.id
                        + (f"; {unit_review}" if unit_review else ""),
                        m.start(),
                        m.end(),
                    )
                )
            used.append((m.start(), m.end()))
            continue
        if not direction:
            # "within 14 days" with no anchor word: an order's own periods run from the order
            # (docs/drafting.md); a length alone ("a period of 30 days") is no due rule
            if lead == "within":
                rv = "; ".join(r for r in (unit_review,) if r)
                parts.append(Rule(f"{n} {unit} after order", rv, m.start(), m.end()))
                used.append((m.start(), m.end()))
            continue
        after = direction in ("of", "after", "from", "following")
        rest = sentence[m.end() :]
        stop = re.search(
            r",(?!\s*\d{4})|[;:()]|\.(?:\s|$)|\b(?:shall|must|will|may|should|to\s+(?:file|serve|submit)|in\s+which|and\s+(?:shall|must|will)|whichever|or\s+(?:by|on|no\s+later)|or\s+(?=(?:the\s+)?\w+\s+(?:\w+\s+)?(?:may|will|shall)\b)|unless|provided)\b",
            rest,
        )
        phrase = rest[: stop.start()] if stop else rest
        end = m.end() + len(phrase.rstrip())
        anchor, review = _anchor(phrase, duties, text, entered)
        if anchor is None:
            parts.append(Rule(None, review, m.start(), end))
        else:
            word = "after" if after else "before"
            reviews = [r for r in (unit_review, review) if r]
            if anchor == "order" and entered is None:
                reviews.append("the order's date is not known")
            parts.append(Rule(f"{n} {unit} {word} {anchor}", "; ".join(reviews), m.start(), end))
        used.append((m.start(), end))
    past: list[tuple[int, int, date]] = []
    for s, e, d, again in _candidates(sentence, used, past, parts):
        before = sentence[max(0, s - 40) : s]
        after_text = sentence[e : e + 40]
        if re.match(
            r"\s*(?:,\s*)?(?:\d{4}\s*,?\s*)?(?:order|opinion|memorandum|letter|joint\s+letter|hearing\s+transcript|e-?mail|motion|stipulation|filing|report|minute|ruling|decision|\[|\(ecf|ecf|submission|conference\s+call|pretrial\s+scheduling)",
            after_text,
            re.IGNORECASE,
        ) or re.search(
            r"(?:['’]s|\bof|\bdated|\bon\s+or\s+about|\b(?:no|not)\s+earlier\s+than|\bnot\s+before|\bsince|\bbetween)\s*$",
            before,
            re.IGNORECASE,
        ):
            continue  # another paper's date ("the June 3, 2013 Order", "Defendant's April 25 ...")
        naming = re.search(r"\bthe\s*$", before, re.I) and not re.search(
            r"\bday\s+of\b", sentence[s:e], re.I
        )
        if naming and not re.match(
            r"\s*(?:,\s*)?(?:at\b|,|\.|;|$|deadline|due\s+date|cut-?off)", after_text, re.I
        ):
            continue  # "the March 1, 2025 Order": a date naming another paper
        if entered is not None and d < entered and not again:
            past.append((s, e, d))
            continue
        t_rule = ""
        t_before = _TIME_BEFORE.search(before)
        if t_before:
            # "by 12:00 p.m., Friday, October 19, 2012", "at 1:30 p.m. on Monday, ..."
            t0 = time_value(TIME.match(before, t_before.start()))  # type: ignore[arg-type]
            if t0 is not None:
                t_rule = f" {t0.strftime('%H:%M')}"
                before = before[: t_before.start()]
                before = re.sub(r"\s*\bat\s*$", " ", before)
        lead_m = _FIXED_LEAD.search(before)
        lead = (lead_m.group("lead") or "").lower() if lead_m else ""
        lead = re.sub(r"\s+", " ", lead)
        tm_after = re.match(
            r"\s*,?\s*(?:at|by|beginning\s+at|commencing\s+at|from|,)?\s*", after_text
        )
        end = e
        review = ""
        if tm_after and not t_rule:
            tm = TIME.match(sentence, e + tm_after.end())
            if tm:
                t = time_value(tm)
                if t is not None:
                    t_rule = f" {t.strftime('%H:%M')}"
                    end = tm.end()
                    tail = re.match(r"\s*(?:to|until|through|-|–)\s*", sentence[end:])
                    if tail:
                        tm2 = TIME.match(sentence, end + tail.end())
                        t2 = time_value(tm2) if tm2 else None
                        if tm2 and t2 is not None and t2 > t:
                            t_rule += f" to {t2.strftime('%H:%M')}"
                            end = tm2.end()
        if lead in (
            "no later than",
            "not later than",
            "on or before",
            "by",
            "until",
            "through",
            "due",
        ):
            word = "by"
        elif lead == "before":
            word = "by"
            review = f"'before {sentence[s:e]}': read as by that day; the day before may be meant"
        elif not re.search(
            r"\b(?:appear\w*|hearing|conference|trial|argument|held|attend\w*|calendared|session|sentencing|mediation|heard|set\s+for|scheduled\s+for)\b",
            sentence,
            re.IGNORECASE,
        ):
            word = "by"  # a deadline's day; "on" is an appearance's
        else:
            word = "on"
        start = s - (len(sentence[max(0, s - 40) : s]) - len(before))
        start -= len(lead_m.group(0)) if lead_m and lead_m.group("lead") else 0
        parts.append(Rule(f"{word} {d.isoformat()}{t_rule}", review, max(0, start), end))
    full = {(d.month, d.day) for _, _, d in find_dates(sentence)}
    for m in DATE_NO_YEAR.finditer(sentence):
        if any(a <= m.start() < b for a, b in [(p.start, p.end) for p in parts]):
            continue
        mon = MONTHS.get(m.group("mon").lower().rstrip("."))
        if (mon, int(m.group("day"))) in full:
            continue  # the same day, its year given elsewhere in the sentence
        parts.append(Rule(None, f"'{m.group(0).strip()}' has no year", m.start(), m.end()))
    every = re.search(
        rf"\bevery\s+{COUNT}\s*(?:days?|weeks?|months?|court\s+days?)\b(?!\s+thereafter)",
        sentence,
        re.I,
    )
    if every and not parts:
        parts.append(
            Rule(
                None,
                f"'{every.group(0)}': a series whose first day is not stated",
                every.start(),
                every.end(),
            )
        )
        used.append((every.start(), every.end()))
    for m in _SAME_AS.finditer(sentence):
        if any(a <= m.start() < b for a, b in used):
            continue
        ref = _same_as(m, duties, text, previous)
        if ref is not None:
            parts.append(Rule(ref[0], ref[1], m.start(), m.end()))
            used.append((m.start(), m.end()))
    imm = re.search(
        r"\b(?:immediately\s+upon|upon\s+receipt\s+of|forthwith|immediately)\b(?P<rest>[^,;.]{0,80})",
        sentence,
        re.IGNORECASE,
    )
    if not parts and imm:
        word = imm.group(0).lower()
        if word.startswith("immediately upon"):
            anchor, review = _anchor(imm.group("rest"), duties, text, entered)
            if anchor and anchor != "order" and not re.match(r"\d", anchor):
                return Rule(
                    f"immediately upon {anchor}", review, offset + imm.start(), offset + imm.end()
                )
        return Rule(
            None,
            f"'{imm.group(0).strip()}': no day can be computed from it",
            offset + imm.start(),
            offset + imm.end(),
        )
    if not parts:
        return None
    parts.sort(key=lambda r: r.start)
    periodic = _every(sentence, parts)
    if periodic is not None:
        return Rule(periodic.due, periodic.review, offset + periodic.start, offset + periodic.end)
    if len(parts) == 1:
        r = parts[0]
        return Rule(r.due, r.review, offset + r.start, offset + r.end)
    start, end = offset + parts[0].start, offset + parts[-1].end
    between = sentence[parts[0].end : parts[1].start] + sentence[parts[1].end : parts[1].end + 40]
    if len(parts) == 2 and all(p.due for p in parts):
        a, b = parts[0].due or "", parts[1].due or ""
        joined = "; ".join(p.review for p in parts if p.review)
        which = re.search(
            r"whichever\s+is\s+(earlier|sooner|first|later|last)", between, re.IGNORECASE
        )
        if which:
            pick = (
                "earlier" if which.group(1).lower() in ("earlier", "sooner", "first") else "later"
            )
            end = offset + parts[1].end + which.end() - len(sentence[parts[0].end : parts[1].start])
            return Rule(
                f"{a} or {b}, whichever is {pick}", joined, start, min(end, offset + len(sentence))
            )
        if re.search(
            r"in\s+any\s+event", sentence[parts[0].end : parts[1].start], re.IGNORECASE
        ) and b.startswith(("by ", "on ")):
            return Rule(f"{a}, and in any event {b}", joined, start, end)
        if a == b:
            return Rule(a, joined, start, end)
    listed = "; ".join(sentence[p.start : p.end].strip() for p in parts)
    return Rule(
        None,
        f"more than one date or period in the sentence ({listed}): which governs is not clear",
        start,
        end,
        cuts=tuple((p.start, p.end) for p in parts),
    )


_SPLIT = re.compile(
    r";\s+(?:and\s+|or\s+)?|,?\s+(?:and|or)\s+(?=(?:to\s+|shall\s+|must\s+|will\s+|either\s+|also\s+)*(?:file|serve|appear|submit|show|produce|respond|pay|attend|provide|lodge|deliver|notify|complete|meet|confer|exchange|disclose|make|be|explain)\b)"
    r"|,?\s+(?:and|or)\s+(?=(?:the\s+|a\s+|an\s+|any\s+|each\s+)?(?:plaintiffs?|defendants?|parties|petitioners?|respondents?|appellants?|appellees?|counsel|[A-Z]\w+|\w+)\s+(?:shall|must|will|may|is|are)\b)",
)


def clauses(sentence: str, cuts: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """The sentence cut into clauses at the conjunctions between the date parts ``cuts``
    ("file ... by August 2, 2021 and to appear ... on August 12, 2021"); [] when a pair of
    parts has no such conjunction between them."""
    points: list[tuple[int, int]] = []
    for (_, a_end), (b_start, _) in itertools.pairwise(cuts):
        best = None
        for m in _SPLIT.finditer(sentence, a_end, b_start):
            best = m
        if best is None:
            return []
        points.append((best.start(), best.end()))
    out = []
    pos = 0
    for a, b in points:
        out.append((pos, a))
        pos = b
    out.append((pos, len(sentence)))
    return [(a, b) for a, b in out if sentence[a:b].strip()]
