"""Benchmark: bare spaCy model vs the full deal-extract pipeline, and n_process 1 vs 2.

    python bench/bench.py [--articles 200] [--batch-size 16] [--model NAME]

Over the same texts (the bundled ``corpus/`` articles, plus ``../shared/corpus`` when
present, repeated up to ``--articles``), in one run of this script:

1. the full pipeline (``Extractor.pipe``) with ``n_process=1``; peak RSS of this process;
2. the full pipeline with ``n_process=2``; peak RSS of the worker processes;
3. when dask.distributed is installed, the full pipeline on a ``LocalCluster`` of two worker
   processes (one thread each) through ``deal_extract.run.dask_engine``, pipelines loaded before
   the clock starts; CPU time of this process and the workers, peak RSS of a worker;
4. the full pipeline with the judge of deal candidates (``load(judge="packaged")``, ``n_process=1``),
   with the time spent in the judge component (candidates, features, the model) on its own;
5. the bare base model (``load_base_model``) with ``nlp.pipe``.

It prints words/s for each and the ratios full/bare and n=2/n=1 against the targets
(full/bare >= 1.2, n=2 >= 1.8x n=1, peak RSS <= 450 MB per process). A benchmark, not a
test: it always exits 0.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import resource
import sys
import time
from itertools import cycle, islice
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Iterable, Optional

REPO = Path(__file__).resolve().parents[1]
CORPORA = (REPO / "corpus", REPO.parent / "shared" / "corpus")
TARGET_FULL_OVER_BARE = 1.2
TARGET_JUDGED_OVER_BARE = 0.8   # issue 23: the pipeline with the judge keeps 0.8 of the bare model's words/s
TARGET_SPEEDUP = 1.8
TARGET_RSS_MB = 450


def load_texts(n_articles: int, max_chars: int) -> list:
    from deal_extract.run.batch import find_inputs
    from deal_extract.text.reading import Article, InputError, read_articles

    originals: list[Article] = []
    for folder in CORPORA:
        if not folder.is_dir():
            continue
        for path, rel in find_inputs(folder):
            try:
                originals.extend(read_articles(path, f"{folder.name}/{rel}", max_chars))
            except InputError as exc:
                print(f"skipping {exc}", file=sys.stderr)
    if not originals:
        sys.exit(f"no articles found in {', '.join(map(str, CORPORA))}")
    return [Article(text=a.text, source=f"{a.source}#{k}", title=a.title, published=a.published)
            for k, a in enumerate(islice(cycle(originals), n_articles))]


def rss_mb(who: int) -> float:
    """Peak resident set size in MB (``ru_maxrss`` is in KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children (user + system)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(run: Callable[[], Iterable]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to consume ``run()``."""
    gc.collect()
    start, cpu = time.perf_counter(), cpu_seconds()
    for _ in run():
        pass
    multiprocessing.active_children()  # reap finished workers so their CPU and RSS are counted
    return time.perf_counter() - start, cpu_seconds() - cpu


def _usage() -> tuple[float, float]:
    """On a Dask worker: its CPU seconds and peak RSS in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime, rss_mb(resource.RUSAGE_SELF)


def _load_pipeline(options) -> None:
    """On a Dask worker: load its pipeline (what its first batch would do)."""
    from deal_extract.run.dask_engine import worker_extractor

    worker_extractor(options)


def dask_workers(extractor, articles: list, batch_size: int) -> Optional[tuple[tuple[float, float], float]]:
    """((wall s, CPU s), peak RSS MB of a worker) over two local Dask workers; None without dask."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        return None
    from distributed import LocalCluster

    from deal_extract.run import dask_engine

    jobs = [SimpleNamespace(article=article, seconds=None) for article in articles]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            dask_engine.connect(cluster.scheduler_address) as client:
        client.run(_load_pipeline, extractor.options)
        workers_cpu = sum(cpu for cpu, _ in client.run(_usage).values())
        gc.collect()
        start, cpu = time.perf_counter(), cpu_seconds()
        for _ in dask_engine.outcomes(client, extractor, jobs, batch_size):
            pass
        seconds = time.perf_counter() - start
        usage = client.run(_usage).values()
        cpu = cpu_seconds() - cpu + sum(c for c, _ in usage) - workers_cpu
        return (seconds, cpu), max(rss for _, rss in usage)


def judged_run(model: Optional[str], articles: list, batch_size: int) -> tuple[tuple[float, float], float]:
    """((wall s, CPU s), seconds inside the judge component) of the full pipeline with the packaged judge."""
    import deal_extract.api as api

    extractor = api.load(model=model, judge="packaged")
    rules = extractor.nlp.get_pipe("deal_extract_judge")._rules
    spent = [0.0]
    judge = rules._judge

    def timed_judge(docs):
        start = time.perf_counter()
        out = judge(docs)
        spent[0] += time.perf_counter() - start
        return out

    rules._judge = timed_judge
    list(extractor.pipe(articles[:4], batch_size=batch_size))
    spent[0] = 0.0
    timing = timed(lambda: extractor.pipe(articles, batch_size=batch_size))
    return timing, spent[0]


def row(name: str, timing: tuple[float, float], words: int, rss: Optional[float]) -> str:
    seconds, cpu = timing
    rss_text = f"{rss:,.0f}" if rss is not None else "-"
    return f"{name:<38} {seconds:>8.2f} {cpu:>8.2f} {words / seconds:>10,.0f} {rss_text:>12}"


def verdict(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200, help="articles to process (texts repeated; default 200)")
    parser.add_argument("--batch-size", type=int, default=16, help="nlp.pipe batch size (default 16)")
    parser.add_argument("--model", default=None, help="base spaCy model (default: the installed English model)")
    args = parser.parse_args(argv)

    import deal_extract.api as api
    from deal_extract.nlp.model import load_base_model

    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    extractor = api.load(model=args.model)
    load_full = time.perf_counter() - start
    articles = load_texts(args.articles, extractor.max_chars)
    texts = [a.text for a in articles]
    words = sum(len(t.split()) for t in texts)
    warm = articles[:4]

    def full(n_process: int) -> Callable[[], Iterable]:
        return lambda: extractor.pipe(articles, batch_size=args.batch_size, n_process=n_process)

    list(extractor.pipe(warm, batch_size=args.batch_size))
    t_full1 = timed(full(1))
    rss_main = rss_mb(resource.RUSAGE_SELF)
    t_full2 = timed(full(2))
    rss_workers = rss_mb(resource.RUSAGE_CHILDREN)
    on_dask = dask_workers(extractor, articles, args.batch_size)
    judged, judge_seconds = judged_run(args.model, articles, args.batch_size)

    start = time.perf_counter()
    bare = load_base_model(extractor.model_name)
    load_bare = time.perf_counter() - start
    list(bare.pipe(t for t in texts[:4]))
    t_bare = timed(lambda: bare.pipe(texts, batch_size=args.batch_size))

    print(f"deal-extract benchmark: {len(articles)} articles, {words:,} words, batch size {args.batch_size}, "
          f"model {extractor.model_name} {extractor.model_version}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"load: full pipeline {load_full:.1f} s, bare model {load_bare:.1f} s; "
          f"load average before the runs {load_before:.2f} (other work on the machine skews the figures)")
    print()
    print(f"{'run':<38} {'seconds':>8} {'CPU s':>8} {'words/s':>10} {'peak RSS MB':>12}")
    print(row(f"bare {extractor.model_name} (n=1)", t_bare, words, None))
    print(row("deal-extract full (n=1)", t_full1, words, rss_main))
    print(row("deal-extract full (n=2), per worker", t_full2, words, rss_workers))
    if on_dask is not None:
        print(row("deal-extract full (2 Dask), per worker", on_dask[0], words, on_dask[1]))
    print(row("deal-extract full + judge (n=1)", judged, words, None))
    print()
    full_over_bare = t_bare[0] / t_full1[0]
    speedup = t_full1[0] / t_full2[0]
    rss_ok = max(rss_main, rss_workers) <= TARGET_RSS_MB
    print(f"full/bare words/s: {full_over_bare:.2f} (target >= {TARGET_FULL_OVER_BARE}) {verdict(full_over_bare >= TARGET_FULL_OVER_BARE)}"
          f"; by CPU time {t_bare[1] / t_full1[1]:.2f}")
    print(f"n=2 / n=1 speed-up: {speedup:.2f}x (target >= {TARGET_SPEEDUP}x) {verdict(speedup >= TARGET_SPEEDUP)}"
          f"; CPU n=1/n=2 {t_full1[1] / t_full2[1]:.2f}, so {2 * t_full1[1] / t_full2[1]:.2f}x on two idle cores")
    print(f"peak RSS per process: main {rss_main:,.0f} MB, worker {rss_workers:,.0f} MB "
          f"(target <= {TARGET_RSS_MB} MB) {verdict(rss_ok)}")
    if on_dask is not None:
        print(f"2 Dask workers / n=1 speed-up: {t_full1[0] / on_dask[0][0]:.2f}x (n=2: {speedup:.2f}x; "
              "the Dask client, scheduler and workers share this machine's cores)")
    else:
        print("2 Dask workers: not run (pip install 'deal-extract[dask]')")
    print(f"with the judge: full/bare words/s {t_bare[0] / judged[0]:.2f} (target >= {TARGET_JUDGED_OVER_BARE}) "
          f"{verdict(t_bare[0] / judged[0] >= TARGET_JUDGED_OVER_BARE)}; the judge component took {judge_seconds:.2f} s, "
          f"{judge_seconds / judged[0]:.1%} of the run ({1000 * judge_seconds / len(articles):.1f} ms per article)")
    print("(the bare model runs last, in the same process, so its RSS is not separable and is not shown)")


if __name__ == "__main__":
    main()
