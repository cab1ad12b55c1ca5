"""Training data of the judge: every candidate of every gold article, its features and label.

Each ``--gold`` folder is one *batch* (a gold set: the team set, a blind batch, an analyst's
own files); an article is paired with its gold file by stem, as ``deal-extract evaluate``
does, and extracted once by the rules with the judge component collecting candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from deal_extract.evaluation.details import is_ended
from deal_extract.evaluation.gold import GoldError, find_gold_pairs, load_gold, read_listed_article
from deal_extract.judge.labels import GoldDeals
from deal_extract.records import GoldFile


@dataclass
class GoldArticle:
    batch: str
    name: str
    gold: GoldFile
    pieces: object                 # deal_extract.api.ArticlePieces (kept for measuring)
    live_deals: int                # gold deals that are not ended


@dataclass
class Dataset:
    articles: list[GoldArticle] = field(default_factory=list)
    features: list[list[float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    article_of: list[int] = field(default_factory=list)   # row -> article index
    piece_of: list[int] = field(default_factory=list)     # row -> piece index in its article
    partners: list[tuple[str, ...]] = field(default_factory=list)
    keys: list[Optional[frozenset]] = field(default_factory=list)   # row -> gold partner set, if all are gold organisations

    def batch_of_row(self, row: int) -> str:
        return self.articles[self.article_of[row]].batch

    def rows_of(self, batches: Iterable[str]) -> list[int]:
        wanted = set(batches)
        return [r for r in range(len(self.labels)) if self.batch_of_row(r) in wanted]

    @property
    def batches(self) -> list[str]:
        return list(dict.fromkeys(a.batch for a in self.articles))

    def add(self, article: GoldArticle) -> None:
        index = len(self.articles)
        self.articles.append(article)
        deals = GoldDeals.of(article.gold)
        for k, (_, _, _, candidates) in enumerate(article.pieces.pieces):
            for c in candidates or ():
                self.features.append(c["features"])
                self.labels.append(deals.label(c["partners"]))
                self.article_of.append(index)
                self.piece_of.append(k)
                self.partners.append(tuple(c["partners"]))
                self.keys.append(deals.key(c["partners"]))


def batch_name(gold_dir: Path) -> str:
    """A gold folder's batch name: its folder name ("blind2"), the team set's "gold" as "team"."""
    name = Path(gold_dir).name
    return "team" if name == "gold" else name


def build_dataset(gold_dirs: Sequence[Path | str], corpus_dirs: Sequence[Path | str], extractor,
                  progress: Callable[[Iterable, int, str], Iterable] = lambda items, total, label: items,
                  follow_symlinks: bool = False) -> tuple[Dataset, list[str]]:
    """Extract every gold article of ``gold_dirs`` (each folder one batch) found in ``corpus_dirs``
    with ``extractor`` (an :class:`~deal_extract.api.Extractor` made with ``collect=True``).
    Returns the dataset and warnings (gold files without an article)."""
    jobs: list[tuple[str, str, GoldFile, Path]] = []
    warnings: list[str] = []
    names: set[str] = set()
    for gold_dir in map(Path, gold_dirs):
        found = find_gold_pairs(gold_dir, corpus_dirs, follow_symlinks=follow_symlinks)
        warnings += [f"{g}: gold file without article in {', '.join(map(str, corpus_dirs))}"
                     for g in found.gold_without_article]
        batch, n = batch_name(gold_dir), 2
        while batch in names:   # two folders of one name are two batches
            batch, n = f"{batch_name(gold_dir)}#{n}", n + 1
        names.add(batch)
        for gold_path, source_path in found.pairs:
            jobs.append((batch, gold_path.stem, load_gold(gold_path), source_path))
    if not jobs:
        raise GoldError(f"no article in {', '.join(map(str, corpus_dirs))} has a gold file in "
                        f"{', '.join(map(str, gold_dirs))}")
    articles = [read_listed_article(source) for _, _, _, source in jobs]
    dataset = Dataset()
    for (batch, name, gold, _), pieces in zip(jobs, progress(extractor.pipe_pieces(articles), len(jobs), "extract")):
        live = sum(not is_ended(d) for d in gold.deals)
        dataset.add(GoldArticle(batch, name, gold, pieces, live))
    return dataset, warnings
