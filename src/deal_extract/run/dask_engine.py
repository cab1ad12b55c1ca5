"""Extraction on a ``dask.distributed`` cluster: ``deal-extract batch CORPUS --dask ADDRESS``.

The batch run (the Dask client) reads the inputs and sends them to the workers in batches
(:func:`outcomes`); each worker process loads the pipeline once, cached by the extractor's
:class:`~deal_extract.api.LoadOptions` (:func:`worker_extractor`), and returns one outcome per
article, each article within its time limit (:func:`deal_extract.run.engine.outcomes`, the code of
a local run). The client writes every output, so a task writes nothing and can run twice.

- **A worker dies mid-batch**: the scheduler gives its tasks to another worker, and the client
  takes each batch's results once, from its one future: a retry, never a lost or a duplicated
  article. A batch whose workers kept dying (``KilledWorker``, after the scheduler's
  ``allowed-failures``) is sent again one article per task, so that only an article that
  kills workers fails, with the reason in the manifest.
- **Time limits**: on a worker, :func:`deal_extract.run.timelimit.time_limit` stops an article
  from its watchdog thread (a Dask task does not run in the main thread); it interrupts Python
  code, not one long call into C. An article that runs over is a time-out, final: it is not run
  again. Past its limit and a grace period, the worker's watchdog process
  (:mod:`deal_extract.run.watchdog`) kills the worker, stuck in C code; then the rules for a
  worker that dies apply.
- **A worker that cannot run the pipeline** (deal-extract missing, another version or other
  patterns than the client's): :class:`DaskError`, one line, and the run stops.

dask is imported only here, and only when a run asks for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import threading
import time
from itertools import islice
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional

from deal_extract.run.engine import CHUNK_BATCHES, CHUNK_CHARS, Failed, J, Outcome, chunked, describe, outcomes as local_outcomes
from deal_extract.run.watchdog import ensure as ensure_watchdog
from deal_extract.text.reading import Article

if TYPE_CHECKING:  # the pipeline is loaded through LoadOptions.load, on the workers
    from deal_extract.api import Extractor, LoadOptions

#: ``--dask local``: a LocalCluster started on this machine for the run, instead of a scheduler's address
LOCAL = "local"
CONNECT_SECONDS = 10.0
CLOSE_SECONDS = 10.0
#: A run stops when no worker has been connected to the scheduler for this long.
WORKERLESS_SECONDS = 60.0
POLL_SECONDS = 0.02   # how often the client looks for a finished batch
PROBE_SECONDS = 0.5   # how often it asks the scheduler for its workers
#: Batches sent ahead per worker thread, so that no worker waits for the client.
BATCHES_PER_THREAD = 2


class DaskError(RuntimeError):
    """Dask not installed, the scheduler out of reach, or a worker unable to run the pipeline."""


def require() -> Any:
    """The ``distributed`` module, or :class:`DaskError` saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise DaskError(f"--dask needs dask.distributed, which cannot be imported ({exc}): "
                        "pip install 'deal-extract[dask]'") from None
    return distributed


@contextlib.contextmanager
def scheduler(address: str, local_workers: int) -> Iterator[str]:
    """The address of the scheduler to extract on: ``address`` itself, or for :data:`LOCAL` that of
    a ``LocalCluster`` of ``local_workers`` single-threaded worker processes on this machine (no
    dashboard, listening on 127.0.0.1 only), started here and closed on exit."""
    if address != LOCAL:
        yield address
        return
    distributed = require()
    with distributed.LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@contextlib.contextmanager
def connect(address: str, timeout: float = CONNECT_SECONDS) -> Iterator[Any]:
    """A ``distributed.Client`` of the scheduler at ``address`` (``tcp://host:port``), closed on exit."""
    distributed = require()
    try:
        _handshake(distributed, address, timeout)  # a Client that fails to start stalls the interpreter's exit
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # any failure to connect (timeout, bad address, not a scheduler) is the user's one line
        raise DaskError(f"cannot connect to the Dask scheduler at {address} (time-out {timeout:g} s): {describe(exc)}") from None
    with _quiet_client_log():  # a lost scheduler is the run's one line, not distributed's log records too
        try:
            yield client
        finally:
            client.close(timeout=CLOSE_SECONDS)


@contextlib.contextmanager
def _quiet_client_log() -> Iterator[None]:
    """Within the block, ``distributed.client``'s log records (its "Failed to reconnect to
    scheduler" ERROR line) are not printed: :func:`outcomes` says what happened, in one line."""
    logger = logging.getLogger("distributed.client")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _handshake(distributed: Any, address: str, timeout: float) -> None:
    """Open and close a connection to the scheduler (in a thread of its own: the caller may
    have an event loop running)."""
    async def handshake() -> None:
        comm = await distributed.comm.connect(address, timeout=timeout)
        await comm.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, handshake()).result()


# --- on a worker ------------------------------------------------------------------------

_EXTRACTING = threading.Lock()  # one batch at a time per worker process: threads do not share a pipeline


@functools.lru_cache(maxsize=2)
def worker_extractor(options: LoadOptions) -> tuple[Extractor, tuple[str, str, str]]:
    """The pipeline of this worker process and its identity, loaded at its first batch and reused."""
    extractor = options.load()
    return extractor, extractor.identity()


def extract_batch(options: LoadOptions, expected: tuple[str, str, str], articles: list[Article],
                  limits: list[Optional[float]], batch_size: int) -> list[Outcome]:
    """The Dask task: one outcome per article, from this worker process's pipeline."""
    with _EXTRACTING:
        extractor, found = worker_extractor(options)
        if found != expected:
            raise DaskError(f"a Dask worker runs another pipeline than this client (model, version, patterns "
                            f"digest {found[0]} {found[1]} {found[2][:12]}, here {expected[0]} {expected[1]} "
                            f"{expected[2][:12]}): install the same deal-extract and model on the workers, "
                            "with --patterns and --organisations files at the same paths")
        ensure_watchdog("Dask worker")
        return list(local_outcomes(extractor, articles, limits, batch_size))


# --- on the client ----------------------------------------------------------------------

def outcomes(client: Any, extractor: Extractor, jobs: Iterable[J], batch_size: int) -> Iterator[tuple[J, Outcome]]:
    """Each job with its outcome, as the workers finish them (in no set order)."""
    distributed = require()
    options, expected = extractor.options, extractor.identity()
    address = client.scheduler.address  # while it is there
    batches = chunked(jobs, batch_size, CHUNK_CHARS // CHUNK_BATCHES)
    done = distributed.as_completed(loop=client.loop)
    sent: dict[str, list[J]] = {}

    def send(batch: list[J]) -> None:
        future = client.submit(extract_batch, options, expected, [job.article for job in batch],
                               [job.seconds for job in batch], batch_size, pure=False)
        sent[future.key] = batch
        done.add(future)

    def send_more() -> None:
        threads = sum(client.nthreads().values())  # workers may come and go
        for batch in islice(batches, max(0, BATCHES_PER_THREAD * max(1, threads) - len(sent))):
            send(batch)

    send_more()
    while not done.is_empty():
        future = _next_done(client, done, address)
        batch = sent.pop(future.key)
        try:
            results = future.result()
        except distributed.KilledWorker as exc:
            if len(batch) > 1:  # one of these articles may kill workers: each on its own
                for job in batch:
                    send([job])
                continue
            results = [Failed(error=f"the Dask workers extracting it died ({describe(exc)})")]
        except DaskError:
            raise
        except Exception as exc:  # the task itself failed (not an article: those are outcomes)
            if client.status != "running":  # its future was cancelled: the scheduler is gone
                raise _scheduler_lost(address) from None
            raise DaskError(f"a Dask worker failed: {describe(exc)} "
                            "(is the same deal-extract installed on the workers?)") from None
        send_more()
        yield from zip(batch, results)


def _next_done(client: Any, done: Any, address: str) -> Any:
    """The next finished future of ``done``; :class:`DaskError` when the scheduler is lost, or when
    no worker has been connected to it for :data:`WORKERLESS_SECONDS` (tasks would wait for ever)."""
    since = probe = time.monotonic()
    while not done.has_ready():
        if client.status != "running":
            raise _scheduler_lost(address)
        now = time.monotonic()
        if now >= probe:  # ask the scheduler for its workers once per PROBE_SECONDS
            probe = now + PROBE_SECONDS
            try:
                workers = client.nthreads()
            except Exception:  # the scheduler stopped answering: the client's status tells at the next turn
                workers = None
            if workers:
                since = now
            elif now - since >= WORKERLESS_SECONDS:
                raise DaskError(f"no Dask worker connected to the scheduler at {address} for "
                                f"{WORKERLESS_SECONDS:g} s (every worker is gone): start workers and run the same "
                                "command again; finished articles are kept")
        time.sleep(POLL_SECONDS)
    return next(done)


def _scheduler_lost(address: str) -> DaskError:
    return DaskError(f"lost the connection to the Dask scheduler at {address} (it stopped or the "
                     "network failed): restart it and its workers and run the same command again; finished "
                     "articles are kept")
