"""The ``Doc._`` attributes deal-extract reads and writes (registered once, on import).

- ``doc._.source``: the article's file name, set by the caller (the Python API does); it
  keys the deal ids, so a deal has the same id whichever route produced it.
- ``doc._.organisations``, ``doc._.places``: set by ``deal_extract_organisations``.
- ``doc._.deals``: set by ``deal_extract_deals`` (and replaced by ``deal_extract_judge``'s judged deals).
- ``doc._.deal_candidates``: set by ``deal_extract_judge`` when it collects (training).
"""

from spacy.tokens import Doc

NAMES = ("source", "organisations", "places", "deals", "deal_candidates")

for _name in NAMES:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
