"""The drafter: an order's text (a PDF's text layer or plain text) in, a complete order file out,
for a person to confirm. Pure: no clock, database, network or file system.

- ``read_order_text(data, name=...)``: the text of a PDF or a text file given as bytes;
- ``draft_order(text, court=..., case=..., entered=..., order_id=...)``: a ``Draft``;
- ``Draft.to_toml()``: the order file; ``Draft.to_json()``: the draft as data (docs/drafting.md).
"""

from obligations.draft.draft import Draft, DraftObligation, draft_order
from obligations.draft.text import read_order_text

__all__ = ["Draft", "DraftObligation", "draft_order", "read_order_text"]
