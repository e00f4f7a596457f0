"""Florida District Courts of Appeal and Supreme Court: Fla. R. Gen. Prac. & Jud. Admin. 2.514
with the appellate rules' service provision (Fla. R. App. P. 9.420(e)).

Computation is 2.514's, as in the trial courts (Fla. R. App. P. 9.420(e) sends computation there);
after service by mail the appellate rule adds 5 days as 2.514(b) does [recalled: the wording of
9.420(e) was not re-read].
"""

from __future__ import annotations

from typing import ClassVar

from calendars.rulesets.florida import RULE, Florida


class FloridaAppellate(Florida):
    id = "florida-appellate"
    name = f"{RULE} (Fla. R. App. P. 9.420(e))"
    mail_rule: ClassVar[str] = f"Fla. R. App. P. 9.420(e); {RULE}(b)"
    service_rule = f"Fla. R. App. P. 9.420(e); {RULE}(b)"
