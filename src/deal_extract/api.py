"""The Python API: load the pipeline once, extract from texts or files, get pydantic records.

    >>> import deal_extract
    >>> extractor = deal_extract.load()              # model + patterns, once
    >>> result = extractor.extract_text(text, source="note.txt")
    >>> [d.partners for d in result.deals]
    >>> result = extractor.extract_file("corpus/article.txt")
    >>> for result in extractor.pipe(items, n_process=2): ...

``items`` for :meth:`Extractor.pipe` are :class:`~deal_extract.text.reading.Article` objects
(or ``(text, source)`` pairs).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence, Union

from spacy.language import Language
from spacy.tokens import Doc

from deal_extract.extract import article_result
from deal_extract.judge.model import JudgeLike, JudgeModel, resolve_judge
from deal_extract.records import keep_confident
from deal_extract.nlp.model import load_base_model, resolve_model_name
from deal_extract.rulefiles.loader import Patterns
from deal_extract.nlp.pipeline import add_components
from deal_extract.text.reading import DEFAULT_MAX_CHARS, Article, read_article
from deal_extract.text.chunking import model_pieces
from deal_extract.text.markup import mask_markup
from deal_extract.organisations.tickers import Exchanges
from deal_extract.text.normalise import Normalised, normalise

ArticleLike = Union[Article, tuple[str, str]]

#: Docs per batch of the model at most: its peak memory grows with the batch (on the bench's
#: corpus 247 MB at 4 Docs, 426 MB at 16, for the bare model) and its speed does not.
MAX_MODEL_BATCH = 4


@dataclass(frozen=True)
class LoadOptions:
    """What :func:`load` was given, with absolute paths: enough to load the same pipeline in
    another process (a Dask worker), and hashable, to key a cache of loaded pipelines.
    ``judge``: the judge model's JSON text, None for the rules alone."""

    model: str
    patterns: Optional[str]
    organisations: tuple[str, ...]
    max_chars: int
    judge: Optional[str] = None
    min_confidence: float = 0.0

    def load(self) -> "Extractor":
        judge = JudgeModel.from_dict(json.loads(self.judge)) if self.judge is not None else False
        return load(model=self.model, patterns=self.patterns, organisations=self.organisations,
                    max_chars=self.max_chars, judge=judge, min_confidence=self.min_confidence)


@dataclass
class ArticlePieces:
    """One article's Docs as plain data: per piece of its text ``(offset, doc._.organisations,
    doc._.deals, doc._.deal_candidates)``, the last piece being the ticker exchanges of the text."""

    article: Article
    norm: Normalised
    pieces: list[tuple[int, list[dict], list[dict], Optional[list[dict]]]]

    def result(self, min_confidence: float = 0.0):
        return keep_confident(article_result(self.article, [p[:3] for p in self.pieces], self.norm), min_confidence)


class Extractor:
    """A loaded deal-extract pipeline (base spaCy model plus the deal-extract components)."""

    def __init__(
        self,
        model: Optional[str] = None,
        patterns: Optional[Union[str, Path]] = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        organisations: Sequence[Union[str, Path]] = (),
        fast: bool = True,
        judge: JudgeLike = None,
        min_confidence: float = 0.0,
        collect: bool = False,
    ):
        self.patterns = Patterns(patterns, organisations=organisations).validate_all()
        self.exchanges = Exchanges(self.patterns)
        self.model_name = resolve_model_name(model)
        self.judge: Optional[JudgeModel] = None if collect else resolve_judge(judge)
        self.min_confidence = min_confidence
        self.nlp: Language = add_components(load_base_model(self.model_name), self.patterns, fast=fast,
                                            judge=self.judge, collect=collect)
        self.max_chars = max_chars
        self.options = LoadOptions(model=self.model_name, patterns=_absolute(patterns),
                                   organisations=tuple(str(_absolute(p)) for p in organisations),
                                   max_chars=max_chars, judge=self.judge.to_json() if self.judge else None,
                                   min_confidence=min_confidence)

    def identity(self) -> tuple[str, str, str]:
        """Model name, model version and the digest of what decides the records: what a batch's manifest records."""
        return str(self.model_name), self.model_version, self.digest()

    def digest(self) -> str:
        """The patterns' digest; with a judge or a minimum confidence, of those too."""
        digest = self.patterns.digest()
        if self.judge is None and self.min_confidence <= 0.0:
            return digest
        h = hashlib.sha256(digest.encode())
        h.update((self.judge.digest() if self.judge else "rules").encode())
        h.update(repr(self.min_confidence).encode())
        return h.hexdigest()

    @property
    def model_version(self) -> str:
        return str(self.nlp.meta.get("version", ""))

    def extract_text(self, text: str, source: str = "<text>"):
        """Extract one article given as a string; returns an :class:`ArticleResult`."""
        return next(self.pipe([Article(text=text, source=source)]))

    def extract_file(self, path: Union[str, Path]):
        """Read one article file (txt, md, html, json) and extract it."""
        return next(self.pipe([read_article(Path(path), max_chars=self.max_chars)]))

    def pipe(self, items: Iterable[ArticleLike], batch_size: int = 16, n_process: int = 1) -> Iterator:
        """Extract many articles with ``nlp.pipe``; yields one :class:`ArticleResult` per item, in order.

        ``batch_size``: pieces of text per model batch, at most :data:`MAX_MODEL_BATCH`."""
        articles = (_as_article(item) for item in items)
        return self._pipe_articles(articles, batch_size=batch_size, n_process=n_process)

    def _pipe_articles(self, articles: Iterable[Article], batch_size: int, n_process: int) -> Iterator:
        for pieces in self.pipe_pieces(articles, batch_size=batch_size, n_process=n_process):
            yield pieces.result(self.min_confidence)

    def pipe_pieces(self, articles: Iterable[ArticleLike], batch_size: int = 16, n_process: int = 1) -> Iterator[ArticlePieces]:
        """Like :meth:`pipe`, but yields each article's pieces as plain data (:class:`ArticlePieces`)."""
        articles = (_as_article(item) for item in articles)
        # the pieces carry a small key, not the article: with n_process > 1 every context is
        # pickled to a worker and back, and a long article has many pieces
        waiting: dict[int, tuple[Article, Normalised]] = {}

        def pieces() -> Iterator[tuple[Doc, tuple[int, int, bool]]]:
            for key, article in enumerate(articles):
                norm = normalise(article.text)
                waiting[key] = (article, norm)
                parts = model_pieces(mask_markup(norm.text), self.nlp.max_length)
                for k, (offset, piece) in enumerate(parts):
                    doc = self.nlp.make_doc(piece)
                    doc._.source = article.source  # keys the deal ids
                    yield doc, (key, offset, k == len(parts) - 1)

        pending: list = []
        model_batch = min(batch_size, MAX_MODEL_BATCH)
        for doc, (key, offset, last) in self.nlp.pipe(pieces(), as_tuples=True, batch_size=model_batch, n_process=n_process):
            # not the Doc: memory stays bounded
            pending.append((offset, doc._.organisations or [], doc._.deals or [], doc._.deal_candidates))
            if last:
                article, norm = waiting.pop(key)
                pending.append((0, self.exchanges.organisations(norm.text), [], None))
                yield ArticlePieces(article, norm, pending)
                pending = []


def _absolute(path: Optional[Union[str, Path]]) -> Optional[str]:
    return None if path is None else str(Path(path).absolute())


def _as_article(item: ArticleLike) -> Article:
    if isinstance(item, Article):
        return item
    text, source = item
    return Article(text=text, source=source)


def load(
    model: Optional[str] = None,
    patterns: Optional[Union[str, Path]] = None,
    organisations: Sequence[Union[str, Path]] = (),
    max_chars: int = DEFAULT_MAX_CHARS,
    judge: JudgeLike = None,
    min_confidence: float = 0.0,
) -> Extractor:
    """Load the pipeline once; reuse the returned :class:`Extractor` for every article.

    ``model``: a spaCy English model (default: the installed one); ``patterns``: a folder
    holding the rule files to use instead of the packaged ones (the others stay packaged);
    ``organisations``: files in the ``organisations.yml`` format added to the curated list;
    ``judge``: the trained judge of deal candidates (``"packaged"`` or True: the shipped model; a
    model file from ``deal-extract train``; ``"none"`` or False: the rules alone; None: the default,
    :data:`deal_extract.judge.model.JUDGE_BY_DEFAULT`); ``min_confidence``: keep only the deals
    whose confidence is at or above it.
    The only loader: the command line, ``evaluate`` and ``report`` all come through here.
    """
    return Extractor(model=model, patterns=patterns, max_chars=max_chars, organisations=organisations,
                     judge=judge, min_confidence=min_confidence)
