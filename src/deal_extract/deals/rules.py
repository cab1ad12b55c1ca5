"""The rules that find deal mentions, strongest first. Each is a function of the Doc's facts,
the rule words and, where a rule defers to stronger ones, the mentions found before it.

1. a relation pattern between organisations (:func:`pattern_mentions`), or with a party
   that refers back ("it", "the company", "the two firms");
2. "the A–B deal" (:func:`dash_mentions`);
3. a list item "A (China) and B (China): what they do" (:func:`list_mentions`);
4. a heading line made only of organisations and joiners: "Pfizer x 3SBio (20 May 2025)",
   "Kazia / Simcere", "AstraZeneca - BioKangtai JV" (:func:`heading_mentions`);
5. a unit the parser got wrong: two organisations and a deal verb (:func:`cooccurrence_mentions`).
"""

from __future__ import annotations

from typing import Optional, Sequence

from spacy.tokens import Doc, Span, Token

from deal_extract.deals.cues import TYPE_PREFIX
from deal_extract.deals.facts import DocFacts, members
from deal_extract.deals.matching import Match, RelationMatcher
from deal_extract.deals.mentions import Mention, by_unit, mention
from deal_extract.deals.references import in_description, is_reference, resolve, same_coordination
from deal_extract.deals.words import DealWords

DASHES = {"–", "-", "—", "/", "x", "×"}


def pattern_mentions(facts: DocFacts, words: DealWords, relations: RelationMatcher, matches: Sequence[Match],
                     references: bool, earlier: Sequence[Mention] = ()) -> list[Mention]:
    """Pattern matches between organisations, or (``references=True``) with a party that refers
    back, resolved with the help of the ``earlier`` mentions."""
    doc = facts.doc
    out: list[Mention] = []
    for match_id, token_ids in matches:
        entry = relations.entries[doc.vocab.strings[match_id]]
        nodes = {node["RIGHT_ID"]: doc[i] for node, i in zip(entry.pattern, token_ids)}
        trigger = nodes.get("trigger", nodes["party_a"])
        a_tok, b_tok = nodes["party_a"], nodes["party_b"]
        refers = is_reference(facts, a_tok) or is_reference(facts, b_tok)
        if references != refers or blocked(words, trigger):
            continue
        unit = facts.unit_of.get(trigger.i)
        if unit is None or not facts.unit_of.get(a_tok.i) == facts.unit_of.get(b_tok.i) == unit:
            continue
        if _attributed_source(words, a_tok, trigger) or _attributed_source(words, b_tok, trigger):
            continue  # "..., according to data from Crunchbase": a source of the news, no partner
        side_a = resolve(facts, words, a_tok, earlier)
        side_b = resolve(facts, words, b_tok, earlier)
        if not side_a or not side_b:
            continue
        conf = entry.confidence - (words.scores.reference_penalty if refers else 0.0)
        types = tuple(entry.deal_types)
        if same_coordination(a_tok, b_tok) and _their_own(nodes):
            continue  # "A and B have signed deals of their own": not with each other
        if entry.gather == "subtree":
            node = nodes.get(entry.gather_node, trigger)
            gathered = set(side_a) | set(side_b) | {o for t in node.subtree if (o := facts.token_org.get(t.i)) is not None
                                                    and not in_description(facts, t, node)}
            out += mention(gathered, unit, conf, entry.id, types, trigger.i)
        elif same_coordination(a_tok, b_tok) or _one_joint_deal(words, nodes):
            out += mention(set(side_a) | set(side_b), unit, conf, entry.id, types, trigger.i)
        else:
            for b in side_b:
                roles = tuple((o, role) for side, role in zip(([*side_a], [b]), entry.roles) for o in side)
                out += mention(set(side_a) | {b}, unit, conf, entry.id, types, trigger.i, roles)
    return out


def _attributed_source(words: DealWords, tok: Token, trigger: Token) -> bool:
    """The party sits in an attribution below the trigger: "according to (data from) X", "X said"."""
    for anc in tok.ancestors:
        if anc.i == trigger.i:
            return False
        if anc.lower_ in words.attribution_words:
            return True
    return False


def blocked(words: DealWords, trigger: Token) -> bool:
    """A blocker above the trigger ("ended", "denied", "in talks"), a modal or negation on the way,
    or a blocking modifier of the trigger itself ("proposed acquisition", "failed merger")."""
    if any(c.dep_ in ("amod", "dobj") and words.blocks(c) for c in trigger.children):
        return True  # "a proposed merger"; "granted it Fast Track designation": a regulator's act
    for tok in [trigger, *trigger.ancestors]:
        if words.blocks(tok):
            return True
        for child in tok.children:
            if child.dep_ in ("neg", "aux", "auxpass") and words.blocks(child):
                return True
        if tok.dep_ == "advcl" and any(c.dep_ in ("mark", "advmod") for c in tok.children):
            return False  # "When A signed with B, ... was not selling": the main clause does not reach it
        if tok.dep_ == "relcl":
            return False  # "X, which bought Y in 2019, will exit": the relative clause is a statement of its own
    return False


def _their_own(nodes: dict[str, Token]) -> bool:
    """A plural deal noun of coordinated subjects: each has its own ("A and B signed deals")."""
    noun = nodes.get("deal")
    return noun is not None and (noun.tag_ == "NNS" or any(t.lower_ == "own" for t in noun.subtree))


def _one_joint_deal(words: DealWords, nodes: dict[str, Token]) -> bool:
    """"formed a (three-way) consortium with A and B", "teamed up with A and B on a study" are one
    deal; "signed deals with both A and B", "agreements with A and B respectively" are one each."""
    trigger = nodes.get("trigger")
    noun = nodes.get("deal") or (trigger if trigger is not None and trigger.pos_ == "NOUN" else None)
    anchor = noun if noun is not None else trigger
    if anchor is None or any(t.lower_ in words.separate_deal_words for t in anchor.sent):
        return False
    if noun is None:
        return trigger.lemma_.lower() in words.joint_verbs
    return not (noun.tag_ == "NNS" or noun.lower_.endswith("s") and noun.lemma_ != noun.lower_)


def dash_mentions(facts: DocFacts, words: DealWords) -> list[Mention]:
    """"the A–B deal", "the WuXi XDC–AbTis collaboration"."""
    doc, token_org = facts.doc, facts.token_org
    out: list[Mention] = []
    for i, tok in enumerate(doc[:-2]):
        if tok.text not in DASHES or i == 0:
            continue
        a, b = token_org.get(i - 1), token_org.get(i + 1)
        if a is None or b is None or a == b:
            continue
        k = i + 1
        while k < len(doc) and token_org.get(k) == b:
            k += 1
        noun = _deal_noun_at(words, doc, k)
        if noun is not None and not blocked(words, noun):
            out += mention({a, b}, facts.unit_of.get(i, 0), words.scores.dash_pair, "dash_pair", (), noun.i)
    return out


def _deal_noun_at(words: DealWords, doc: Doc, k: int) -> Optional[Token]:
    """The deal noun starting at token ``k`` ("deal", "collaboration", "tie-up"), if any; its head token."""
    window = doc[k:k + 3]
    if not len(window):
        return None
    if window[0].lemma_.lower() in words.deal_nouns or window[0].lower_ in words.deal_nouns:
        return window[0]
    if "".join(t.text for t in window).lower() in words.deal_nouns:
        return window[-1]
    return None


def list_mentions(facts: DocFacts, words: DealWords, earlier: Sequence[Mention]) -> list[Mention]:
    """A list item names the partners before its colon: "- A (China) and B (China): End-to-end
    CDMO support ..."; or after a label: "• JV: A x B". One deal of all of them, in items that
    hold no ``earlier`` mention."""
    doc = facts.doc
    taken = by_unit(earlier)
    out: list[Mention] = []
    for unit in facts.units:
        if not (unit.line.bullet and unit.first_of_line) or unit.index in taken:
            continue
        cut = next((t.i for t in doc[unit.start:unit.end]
                    if t.text.endswith(":") or t.text == "—"
                    or (t.text in ("–", "-") and t.whitespace_ and t.i > unit.start and doc[t.i - 1].whitespace_)), None)
        segments = [(unit.start, cut), (cut + 1, unit.end)] if cut is not None else [(unit.start, unit.end)]
        for k, (start, end) in enumerate(segments):
            found = [o for o in members(facts, start, end) if not _founded(facts, words, o, start, end)]
            after_label = k == 1 and not members(facts, *segments[0])
            if len(found) < 2 or (k == 1 and not after_label) or (after_label and not _only_connected(facts, words, start, end)):
                continue
            checked = range(unit.start, unit.end) if after_label else range(start, end)
            if any(words.blocks(doc[t]) for t in checked):
                break
            out += mention(set(found), unit.index, words.scores.list_item, "list_item")
            break
    return out


def _founded(facts: DocFacts, words: DealWords, org: int, start: int, end: int) -> bool:
    """The organisation is the new company of the deal in tokens [start, end): the object of a
    founding verb ("A and B launch X", "formed X"), or right after one in a telegraphic line the
    parser read as a noun phrase."""
    doc = facts.doc
    for t in range(start, end):
        if facts.token_org.get(t) != org:
            continue
        tok = doc[t]
        if tok.dep_ == "dobj" and tok.head.lemma_.lower() in words.founding_verbs:
            return True
        if t > start and facts.token_org.get(t - 1) != org and doc[t - 1].lemma_.lower() in words.founding_verbs:
            return True
    return False


def deal_list_mentions(facts: DocFacts, words: DealWords, earlier: Sequence[Mention]) -> list[Mention]:
    """A plural deal noun opening a list names one deal of the list's owner with each organisation
    listed: "has grown by acquisitions: A in 1997, B in 2010 and C in 2014"; "earlier agreements by
    X, including a collaboration with A and a pact with B". The owner is the noun's "by X" or
    "X's", else its clause's subject (through "which" to the organisation it describes)."""
    doc, token_org = facts.doc, facts.token_org
    out: list[Mention] = []
    for unit in facts.units:
        for tok in doc[unit.start:unit.end]:
            if tok.lemma_.lower() not in words.deal_nouns or blocked(words, tok):
                continue
            opener = _list_opener(facts, words, tok, unit.end)
            if opener is None or (tok.tag_ != "NNS" and opener != tok.i + 2):
                continue  # a singular noun opens a list only with its colon: "grown by acquisition: A, B"
            owner = _list_owner(facts, words, tok, earlier)
            if owner is None:
                continue
            types = tuple(sorted(_types_at(facts, tok)))
            for item in members(facts, opener, unit.end):
                if item != owner:
                    out += mention({owner, item}, unit.index, words.scores.deal_list, "deal_list", types)
    return out


def _list_opener(facts: DocFacts, words: DealWords, noun: Token, end: int) -> Optional[int]:
    """The token after the colon or "including" that opens the list a deal noun heads, within a
    few words of it and before any verb."""
    doc = facts.doc
    for k in range(noun.i + 1, min(noun.i + 1 + MAX_OPENER_DISTANCE, end)):
        tok = doc[k]
        if tok.text == ":" or tok.lower_ in words.deal_list_openers:
            return k + 1
        if tok.pos_ in ("VERB", "AUX") and tok.lower_ not in words.deal_list_openers:
            return None
    return None


MAX_OPENER_DISTANCE = 8


def _list_owner(facts: DocFacts, words: DealWords, noun: Token, earlier: Sequence[Mention]) -> Optional[int]:
    doc, token_org = facts.doc, facts.token_org
    if noun.i + 2 < len(doc) and doc[noun.i + 1].lower_ == "by" and noun.i + 2 in token_org:
        return token_org[noun.i + 2]   # "agreements by X", wherever the parser hung the "by"
    for child in noun.children:
        if child.dep_ == "poss" and child.i in token_org:
            return token_org[child.i]
    verb = next((a for a in noun.ancestors if a.pos_ in ("VERB", "AUX")), None)
    if verb is None:
        return None
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return None
    if subject.lower_ in words.relative_pronouns and verb.dep_ == "relcl":
        subject = verb.head
    if subject.i in token_org:
        return token_org[subject.i]
    if not is_reference(facts, subject):
        return None
    found = resolve(facts, words, subject, earlier)
    return found[0] if len(found) == 1 else None


def _types_at(facts: DocFacts, tok: Token) -> set[str]:
    """The deal types of the cue spans that cover a token."""
    return {span.label_[len(TYPE_PREFIX):] for span in facts.cue_spans
            if span.start <= tok.i < span.end and span.label_.startswith(TYPE_PREFIX)}


HEADING_JOINERS = {"x", "×", "+", "/", "-", "–", "—", "&", "and"}


def implied_licence_mentions(facts: DocFacts, words: DealWords, earlier: Sequence[Mention]) -> list[Mention]:
    """"Sandoz took (signed) an exclusive licence to use ALT-B4", with no licensor named, in a
    text whose speaker is a company ("Alteogen CEO Park Soon-jae", "KGBio's Sie Djohan"): the
    licence is from the speaker's company. One organisation in the unit, the subject of a verb
    whose object is a licence or rights, and no ``earlier`` mention there."""
    speaker = facts.speaker
    if speaker is None:
        return []
    doc, token_org = facts.doc, facts.token_org
    taken = by_unit(earlier)
    out: list[Mention] = []
    for unit in facts.units:
        named = members(facts, unit.start, unit.end)
        if unit.index in taken or len(named) != 1 or named[0] == speaker or unit.line == facts.title_line:
            continue
        for t in doc[unit.start:unit.end]:
            licence = next((c for c in t.children if c.dep_ == "dobj" and c.lemma_.lower() in words.rights_words), None)
            subject = next((c for c in t.children if c.dep_ == "nsubj" and token_org.get(c.i) == named[0]), None)
            if licence is not None and subject is not None and not blocked(words, t):
                out += mention({speaker, named[0]}, unit.index, words.scores.implied_licence, "implied_licence",
                               ("licensing",), t.i)
                break
    return out


def heading_mentions(facts: DocFacts, words: DealWords, earlier: Sequence[Mention]) -> list[Mention]:
    """A line of its own that names only organisations joined by "x", "+", "/", dashes or "and",
    perhaps with a deal noun and a date in brackets after them, heads the deal its paragraph
    tells: "Pfizer x 3SBio (20 May 2025)", "Harbour BioMed + AstraZeneca", "A - B JV"."""
    doc = facts.doc
    taken = by_unit(earlier)
    out: list[Mention] = []
    for unit in facts.units:
        if not unit.first_of_line or unit.index in taken or len(unit.line.text.split()) > 16 or unit.line.text.endswith("."):
            continue
        if unit.line == facts.title_line:
            continue
        end = unit.end
        if doc[end - 1].text == ")":
            end = next((t.i for t in reversed(doc[unit.start:end]) if t.text == "("), end)
        while end > unit.start and (doc[end - 1].lower_ in words.deal_nouns or doc[end - 1].lemma_.lower() in words.deal_nouns):
            end -= 1
        start = unit.start
        while start < end and (doc[start].is_punct or doc[start].is_space) and start not in facts.token_org:
            start += 1
        found = members(facts, start, end)
        joined = any(doc[t].lower_ in HEADING_JOINERS for t in range(start, end) if t not in facts.token_org)
        if len(found) >= 2 and joined and _only_connected(facts, words, start, end):
            out += mention(set(found), unit.index, words.scores.list_item, "heading_pair")
    return out


def _only_connected(facts: DocFacts, words: DealWords, start: int, end: int) -> bool:
    """Only organisations joined by "and", "&", "x", "/", dashes or commas (and markup) in the range."""
    return all(t.i in facts.token_org or t.lower_ in words.party_connectors or t.is_space or t.text in ("*", "**")
               for t in facts.doc[start:end])


def cooccurrence_mentions(facts: DocFacts, words: DealWords, earlier: Sequence[Mention]) -> list[Mention]:
    """A unit the parser got wrong: exactly two organisations, a deal word, nothing that blocks it,
    and no ``earlier`` mention."""
    doc, token_org = facts.doc, facts.token_org
    taken = by_unit(earlier)
    out: list[Mention] = []
    for unit in facts.units:
        if unit.index in taken or unit.line == facts.title_line and unit.index > 0:
            continue
        tokens = doc[unit.start:unit.end]
        found = {token_org[i] for i in range(unit.start, unit.end) if i in token_org and not _in_example_list(facts, words, doc[i])}
        if len(found) != 2:
            continue
        if any(_acting_authority(facts, t) for t in tokens if t.i in token_org):
            continue
        if any(t.lower_ == "own" and t.i > 0 and doc[t.i - 1].lower_ in ("their", "its") for t in tokens):
            continue  # "A and B have signed deals of their own"
        if any(_reference_subject(facts, words, t) and not set(resolve(facts, words, t, earlier)) <= found for t in tokens):
            continue  # "it agreed a deal with A ..., and took rights to B's drug": "it" is a third party
        lemmas = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
        headline_like = unit.line.heading or unit.line.bullet  # telegraphic: the tagger often takes verbs for nouns
        verbs = {t.lemma_.lower() for t in tokens if t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB") or headline_like}
        quoted_person = bool(lemmas & words.reporting_verbs) and any(t.ent_type_ == "PERSON" for t in tokens)
        if any(words.blocks(t) for t in tokens) or quoted_person or not (verbs & words.fallback_verbs or _deal_between(words, tokens)):
            continue
        out += mention(found, unit.index, words.scores.cooccurrence, "cooccurrence")
    return out


def _deal_between(words: DealWords, tokens: Span) -> bool:
    """A deal noun followed by "between" or "among" ("a three-year partnership between A and B
    ... was announced"), read from the words alone: the parser often takes an unknown name
    after it for the verb."""
    return any(t.lemma_.lower() in words.deal_nouns and t.nbor().lower_ in ("between", "among", "amongst")
               for t in tokens[:-1])


def _reference_subject(facts: DocFacts, words: DealWords, tok: Token) -> bool:
    """An active subject that refers back ("it", "the company") rather than naming an
    organisation (a passive one is mostly a product: "It was developed by A and licensed to B")."""
    if tok.dep_ != "nsubj" or tok.i in facts.token_org:
        return False
    return tok.lower_ in words.it_pronouns or (tok.lemma_.lower() in words.references
                                               and any(c.lower_ in words.definite for c in tok.children))


def _acting_authority(facts: DocFacts, tok: Token) -> bool:
    """A government body after "by" ("licensed by the Monetary Authority"): acting, not partnering."""
    if facts.orgs[facts.token_org[tok.i]]["kind"] != "government":
        return False
    before = [t.lower_ for t in facts.doc[max(tok.i - 2, 0):tok.i]]
    return before[-1:] == ["by"] or before == ["by", "the"]


def _in_example_list(facts: DocFacts, words: DealWords, tok: Token) -> bool:
    """Inside "such as A, B and C" / "companies like A": an example, not a partner."""
    doc = facts.doc
    for k in range(tok.i - 1, max(tok.i - 12, -1), -1):
        t = doc[k]
        for cue in words.example_cues:
            if k + 1 >= len(cue) and tuple(facts.lowers[k + 1 - len(cue):k + 1]) == cue:
                return True
        if not (k in facts.token_org or t.text in words.list_connectors or t.is_space):
            return False
    return False
