"""Definite descriptions: what the text calls each organisation ("X, a Seoul-based CDMO,",
"drugmaker X", "X is an investor"), which organisation "the university", "the CDMO" or
"the investor" stands for, and which one a named person speaks for ("KGBio's Sie Djohan")."""

from __future__ import annotations

from typing import Optional

from spacy.tokens import Doc, Token

from deal_extract.rulefiles.schemas import Description

_NOUNS = ("NOUN", "PROPN")


def called(doc: Doc, token_org: dict[int, int]) -> dict[int, frozenset[str]]:
    """Per organisation, the nouns the text calls it by: an apposition ("X, a Seoul-based CDMO,",
    "the CDMO, X,"), a noun just before its name ("drugmaker X") or a copula ("X is a CDMO").
    Each noun is kept alone and with its compound modifier ("contract manufacturer")."""
    out: dict[int, set[str]] = {}
    for i, org in token_org.items():
        tok = doc[i]
        if token_org.get(tok.head.i) == org and tok.head.i != i:
            continue  # not the mention's head
        nouns = [c for c in tok.children if c.dep_ == "appos" and c.i not in token_org]
        if tok.dep_ == "appos" and tok.head.i not in token_org:
            nouns.append(tok.head)
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.lemma_ == "be":
            nouns += [c for c in tok.head.children if c.dep_ == "attr" and c.i not in token_org]
        start = i
        while start > 0 and token_org.get(start - 1) == org:
            start -= 1
        if start > 0 and doc[start - 1].pos_ in _NOUNS and start - 1 not in token_org and not doc[start - 1].is_title:
            nouns.append(doc[start - 1])  # "drugmaker X", "CDMO X"; not a capitalised word of another name
        words = out.setdefault(org, set())
        for noun in (n for n in nouns if n.pos_ in _NOUNS):
            words.update(_forms(noun))
    return {org: frozenset(words) for org, words in out.items() if words}


def _forms(noun: Token) -> list[str]:
    lemma = noun.lemma_.lower()
    return [lemma] + [f"{c.lemma_.lower()} {lemma}" for c in noun.children if c.dep_ == "compound"]


def description_of(descriptions: dict[str, Description], tok: Token) -> Optional[Description]:
    """The description a reference's head noun names: "the university", "the contract manufacturer"."""
    for form in reversed(_forms(tok)):
        if form in descriptions:
            return descriptions[form]
    return None


def fits(description: Description, org: dict, text: str, called_by: frozenset[str]) -> bool:
    """Whether an organisation is of the description: its kind, a word of one of its names, or
    what the text called it."""
    if org["kind"] in description.kinds:
        return True
    names = {w.strip(".,()").lower() for start, end in org["mentions"] for w in text[start:end].split()}
    return bool(names & set(description.names)) or bool(called_by & set(description.nouns))


def speaker(doc: Doc, token_org: dict[int, int]) -> Optional[int]:
    """The organisation of the first person the text names with it: "KGBio's Sie Djohan",
    "Alteogen CEO Park Soon-jae" (capitalised title words between). In an interview "we" and
    "our" are that person's company."""
    for i, o in token_org.items():  # "Alteogen's Park Soon-jae" where the NER saw no person
        after = doc[i + 2:i + 4]
        if (i + 3 < len(doc) and doc[i + 1].text in ("'s", "’s") and after[0].pos_ == "PROPN"
                and all(t.is_title and t.is_alpha and t.i not in token_org and t.ent_type_ in ("PERSON", "")
                        for t in after)):
            return o
    for ent in doc.ents:
        if ent.label_ != "PERSON" or any(t in token_org for t in range(ent.start, ent.end)):
            continue
        k = ent.start - 1
        if k >= 1 and doc[k].text in ("'s", "’s") and k - 1 in token_org:
            return token_org[k - 1]
        while k >= 0 and k not in token_org and (doc[k].is_title or doc[k].is_upper) and doc[k].is_alpha:
            k -= 1
        if 0 <= k < ent.start - 1 and k in token_org:
            return token_org[k]
    return None
