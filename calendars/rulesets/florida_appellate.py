"""Florida District Courts of Appeal and Supreme Court: Fla. R. Gen. Prac. & Jud. Admin. 2.514
with the appellate rules' service provision (Fla. R. App. P. 9.420(e)).

Computation is 2.514's, as in the trial courts: since Oct. 1, 2012 rule 2.514 has taken the place of
former Fla. R. App. P. 9.420(e)-(f) (C. M. v. Dep't of Children & Families, 1st DCA 2017,
https://cetient.com/case/4830618/c-m-v-department-of-children-and-families), so the 5 days after
service by mail (by e-mail too until 2019) are 2.514(b)'s. The former appellate rule added 5 days
after service by mail, and never to a period running from rendition, such as a notice of appeal
(Bouchard v. Dep't of Bus. Regulation, Fla. 2d DCA 1984, quoting former 9.420(d),
https://print.casetext.com/case/bouchard-v-dept-of-bus-regulation); the current wording of 9.420
was not read.
"""

from __future__ import annotations

from typing import ClassVar

from calendars.rulesets.florida import RULE, Florida


class FloridaAppellate(Florida):
    id = "florida-appellate"
    name = f"{RULE} (Fla. R. App. P. 9.420(e))"
    mail_rule: ClassVar[str] = f"Fla. R. App. P. 9.420(e); {RULE}(b)"
    service_rule = f"Fla. R. App. P. 9.420(e); {RULE}(b)"
