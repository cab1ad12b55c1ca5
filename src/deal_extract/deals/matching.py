"""The relation patterns of ``relations.yml`` as DependencyMatchers, run per sentence.

A sentence is matched only against the patterns whose words it holds (one matcher per set of
pattern words, built once); and only when it could hold a deal (two organisations, or one and
a word that may refer to another). The matchers are :class:`~deal_extract.deals.clauses.ClauseMatcher`:
a pattern's ``>>`` / ``<<`` steps stay in one clause, in time linear in the sentence.
"""

from __future__ import annotations

from typing import Optional

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from deal_extract.deals.clauses import ClauseMatcher, DocState
from deal_extract.rulefiles.schemas import RelationEntry
from deal_extract.deals.facts import DocFacts
from deal_extract.deals.lemmas import pattern_lemma
from deal_extract.deals.words import DealWords

Match = tuple[int, list[int]]   # match id, token indices in the Doc


CONTROLLED = "~controlled"
CONTROLLED_DEPS = ("xcomp", "acl")
CONTROLLED_MARK = "~"


def controlled_variant(entry: RelationEntry) -> Optional[RelationEntry]:
    """The pattern with its subject taken from the verb above an infinitive trigger: "X agreed
    (moved, plans) to acquire Y", "X agreed to take a stake in Y", "X signed an agreement to
    transfer its technology to Y" - the verb's subject is the trigger's (in the same clause: the
    ``<<`` step never crosses a clause with a subject of its own). Only for patterns whose
    party_a is the trigger's own subject; a blocking verb above ("X hopes to acquire Y") still
    blocks, as for any trigger."""
    nodes = entry.pattern
    trigger = next((n for n in nodes if n["RIGHT_ID"] == "trigger" and "LEFT_ID" not in n), None)
    subject = next((n for n in nodes if n["RIGHT_ID"] == "party_a" and n.get("LEFT_ID") == "trigger"
                    and n.get("REL_OP") == ">" and _is_subject(n["RIGHT_ATTRS"].get("DEP"))), None)
    if trigger is None or subject is None or "DEP" in trigger["RIGHT_ATTRS"]:
        return None
    pattern = []
    for node in nodes:
        if node is trigger:
            pattern.append({**node, "RIGHT_ATTRS": {**node["RIGHT_ATTRS"], "DEP": {"IN": list(CONTROLLED_DEPS)}}})
            pattern.append({"LEFT_ID": "trigger", "REL_OP": "<<", "RIGHT_ID": "controller",
                            "RIGHT_ATTRS": {"POS": {"IN": ["VERB", "AUX"]}}})
        elif node is subject:
            pattern.append({**node, "LEFT_ID": "controller"})
        else:
            pattern.append(node)
    return entry.model_copy(update={"id": entry.id + CONTROLLED, "pattern": pattern,
                                    "confidence": entry.confidence - 0.05})


def _is_subject(dep: object) -> bool:
    if isinstance(dep, str):
        return dep == "nsubj"
    return isinstance(dep, dict) and "nsubj" in dep.get("IN", [])


class RelationMatcher:
    def __init__(self, vocab: Vocab, relations: list[RelationEntry]):
        self.vocab = vocab
        variants = [v for v in (controlled_variant(e) for e in relations) if v is not None]
        self.entries = {entry.id: entry for entry in [*relations, *variants]}
        self.words_of = {entry.id: frozenset(required_words([entry])) for entry in relations}
        # a variant is tried only where its trigger word heads an infinitive: "~acquire"
        self.words_of.update({v.id: frozenset(CONTROLLED_MARK + w for w in required_words([v])) for v in variants})
        self.required_words = frozenset().union(*self.words_of.values())
        # one matcher per set of words: built once, each pattern in one of them
        self.groups: dict[frozenset[str], ClauseMatcher] = {}
        for i in sorted(self.entries):
            self.groups.setdefault(self.words_of[i], ClauseMatcher(vocab)).add(i, [self.entries[i].pattern])
        self._order = {vocab.strings.add(i): i for i in self.entries}

    def match_sentence(self, doc: Doc, words: set[str], state: Optional[DocState] = None) -> list[Match]:
        """The matches in ``doc`` (one sentence) of the patterns whose words are among ``words``,
        in the order of the patterns' ids (as one matcher of those patterns gives them).
        ``state``: the search's :class:`DocState` of ``doc``, to read its steps after."""
        state = DocState(doc) if state is None else state
        found = [m for required, matcher in self.groups.items() if required & words for m in matcher(doc, state)]
        return sorted(found, key=lambda match: self._order[match[0]])

    def matches(self, facts: DocFacts, words: DealWords) -> list[Match]:
        """Matches in the sentences that could hold a deal: two organisations, or one and a word
        that may refer to another ("it", "the company", "the two firms")."""
        doc, token_org = facts.doc, facts.token_org
        references = (words.references | words.plural_references | words.it_pronouns | words.plural_pronouns
                      | set(words.role_of_noun))
        out: list[Match] = []
        for sent in doc.sents:
            orgs = {token_org[t] for t in range(sent.start, sent.end) if t in token_org}
            if not (len(orgs) >= 2 or (orgs and any(t.lower_ in references or t.lemma_.lower() in references for t in sent))):
                continue
            lemmas = [pattern_lemma(t, self.required_words) for t in sent]
            found = ({lemma.lower() for lemma in lemmas} | {t.lower_ for t in sent}
                     | {CONTROLLED_MARK + lemma.lower() for t, lemma in zip(sent, lemmas) if t.dep_ in CONTROLLED_DEPS})
            found &= self.required_words
            if found:
                out += [(match_id, [i + sent.start for i in ids])
                        for match_id, ids in self.match_sentence(sentence_doc(sent, lemmas), found)]
        return out


def sentence_doc(sent: Span, lemmas: Optional[list[str]] = None) -> Doc:
    """A Doc of one sentence with what the relation patterns read (text, lemma, POS, tag,
    dependencies, entities), built in time linear in the sentence (``Span.as_doc`` copies
    arrays of the whole Doc, which is quadratic over a long article). ``lemmas``: the lemmas to
    give it (default: the tokens' own)."""
    start = sent.start
    ents = []
    for k, t in enumerate(sent):
        iob = t.ent_iob_
        ents.append("O" if not t.ent_type_ or iob == "O" else f"{'B' if k == 0 else iob}-{t.ent_type_}")
    return Doc(
        sent.doc.vocab,
        words=[t.text for t in sent],
        spaces=[bool(t.whitespace_) for t in sent],
        heads=[t.head.i - start for t in sent],
        deps=[t.dep_ or "dep" for t in sent],
        lemmas=lemmas if lemmas is not None else [t.lemma_ for t in sent],
        pos=[t.pos_ or "X" for t in sent],
        tags=[t.tag_ for t in sent],
        ents=ents,
    )


def required_words(relations: list[RelationEntry]) -> set[str]:
    """Words (lemmas or lower-case forms) a sentence needs for any relation pattern to match:
    each pattern's trigger words, or for a trigger without words, the words of its other nodes."""
    words: set[str] = set()
    for entry in relations:
        nodes = {node["RIGHT_ID"]: node.get("RIGHT_ATTRS", {}) for node in entry.pattern}
        ordered = [nodes.get("trigger", {})] + [attrs for name, attrs in nodes.items() if name != "trigger"]
        for attrs in ordered:
            found = _node_words(attrs)
            if found:
                words |= found
                break
    return words


def _node_words(attrs: dict) -> set[str]:
    found: set[str] = set()
    for key in ("LEMMA", "LOWER"):
        value = attrs.get(key)
        if isinstance(value, str):
            found.add(value.lower())
        elif isinstance(value, dict):
            found.update(w.lower() for w in value.get("IN", []))
    return found
