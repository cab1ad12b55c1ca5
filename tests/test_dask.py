"""``deal-extract batch --dask ADDRESS``: the outputs of a local run, from a cluster's workers.

A ``LocalCluster`` of two worker processes (session-scoped) runs the batch through the API;
a scheduler and two workers started as ``dask`` subprocesses run it through the command
line, one worker killed mid-run. Both compare every output with one local run of the same
articles. Then the time limit on the workers and the one-line errors (exit 2).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port
from deal_extract.run.dask_engine import DaskError, connect
from test_batch import deal_extract_cmd, make_corpus, manifest_of, run, temp_files

distributed = pytest.importorskip("distributed")
dask_config = pytest.importorskip("dask.config")

REPO = Path(__file__).resolve().parents[1]
ARTICLES = {p.name: p.read_bytes() for p in sorted((REPO / "corpus").glob("*.txt"))[:12]}
TABLES = ("deals.jsonl", "deals.csv", "organisations.csv")
DEAL = ("Samsung Biologics signed a manufacturing agreement with Pfizer worth $400 million, "
        "the companies said on Monday.\n")
WAIT_SECONDS = 90


# --- fixtures and helpers ---------------------------------------------------------------

@pytest.fixture(scope="session")
def dask_corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("dask") / "corpus", ARTICLES)


@pytest.fixture(scope="session")
def local_out(extractor, dask_corpus, tmp_path_factory) -> Path:
    """The local run every Dask run is compared with."""
    out = tmp_path_factory.mktemp("dask") / "local"
    run(dask_corpus, out, extractor, batch_size=2)
    return out


@pytest.fixture(scope="session")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as local_cluster:
        yield local_cluster


@pytest.fixture(scope="session")
def client(cluster):
    with distributed.Client(cluster, set_as_default=False) as session_client:
        yield session_client


def assert_same_outputs(out: Path, expected: Path, articles: dict = ARTICLES) -> None:
    """Every article JSON, text and table equal; the manifest lists every input exactly once, done."""
    paths = [i["path"] for i in manifest_of(out)["inputs"]]
    assert paths == [i["path"] for i in manifest_of(expected)["inputs"]] == sorted(articles)
    assert {i["status"] for i in manifest_of(out)["inputs"]} <= {"ok", "skipped"}
    for name in TABLES:
        assert (out / name).read_text() == (expected / name).read_text(), name
    stored = sorted(p.relative_to(expected) for p in expected.rglob("*") if p.parent.name in ("articles", "texts"))
    assert stored == sorted(p.relative_to(out) for p in out.rglob("*") if p.parent.name in ("articles", "texts"))
    for rel in stored:
        assert (out / rel).read_bytes() == (expected / rel).read_bytes(), rel
    assert temp_files(out) == []


def stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.kill()
    for proc in processes:
        proc.wait(timeout=30)


# --- a LocalCluster of two worker processes ---------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("batch_size", [1, 5])
def test_local_cluster_outputs_equal_a_local_run(extractor, cluster, dask_corpus, local_out, tmp_path, batch_size):
    out = tmp_path / "out"
    manifest = run(dask_corpus, out, extractor, batch_size=batch_size, dask=cluster.scheduler_address)
    assert manifest.totals.ok == len(ARTICLES)
    assert_same_outputs(out, local_out)

    again = run(dask_corpus, out, extractor, batch_size=batch_size, dask=cluster.scheduler_address)
    assert (again.totals.skipped, again.totals.ok) == (len(ARTICLES), 0)  # incremental: nothing sent
    assert_same_outputs(out, local_out)


@pytest.mark.slow
def test_time_limit_applies_on_dask_workers(extractor, cluster, client, tmp_path):
    """The slow article times out on its worker, and only once: a time-out is final (issue 26:
    a 5 s limit gave two 95 s stalls, the article run again alone after its batch timed out)."""
    starts = tmp_path / "starts.txt"

    def slow_article(options, add: bool) -> None:  # runs on each worker (pickled by value: a local function)
        from spacy.language import Language

        from deal_extract.run.dask_engine import worker_extractor

        name = "test_dask_slow_article"
        if not Language.has_factory(name):
            def component(doc):
                if "SLOWARTICLE" in doc.text:
                    with open(starts, "a") as counter:
                        counter.write("start\n")
                end = time.monotonic() + 60
                while "SLOWARTICLE" in doc.text and time.monotonic() < end:
                    pass  # Python code: the watchdog's asynchronous exception lands here
                return doc

            Language.component(name, func=component)
        nlp = worker_extractor(options)[0].nlp
        if add and name not in nlp.pipe_names:
            nlp.add_pipe(name, first=True)
        elif not add and name in nlp.pipe_names:
            nlp.remove_pipe(name)

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode(), "b_slow.txt": ("SLOWARTICLE. " + DEAL).encode(),
                                               "c.txt": DEAL.encode(), "d.txt": DEAL.encode()})
    client.run(slow_article, extractor.options, True)
    try:
        started = time.monotonic()
        manifest = run(corpus, tmp_path / "out", extractor, batch_size=2, timeout=1.5, dask=cluster.scheduler_address)
        assert time.monotonic() - started < 40
    finally:
        client.run(slow_article, extractor.options, False)
    rows = {r.path: r for r in manifest.inputs}
    assert {k: r.status for k, r in rows.items()} == {"a.txt": "ok", "b_slow.txt": "failed", "c.txt": "ok", "d.txt": "ok"}
    assert rows["b_slow.txt"].error.startswith(f"{corpus / 'b_slow.txt'}: extraction timed out after 1.5 s")
    assert starts.read_text() == "start\n"


@pytest.mark.slow
def test_article_that_kills_its_worker_fails_alone(extractor, tmp_path):
    """A batch whose worker died (here at once: allowed-failures 0) is sent again one article per
    task; the article that kills every worker it meets fails with the reason, the others are done."""

    class Poison(distributed.WorkerPlugin):  # on every worker, also those the nannies restart
        def __init__(self, options):
            self.options = options

        def setup(self, worker) -> None:
            import os

            from spacy.language import Language

            from deal_extract.run.dask_engine import worker_extractor

            name = "test_dask_poison_article"
            if not Language.has_factory(name):
                def component(doc):
                    if "POISONARTICLE" in doc.text:
                        os._exit(1)
                    return doc

                Language.component(name, func=component)
            worker_extractor(self.options)[0].nlp.add_pipe(name, first=True)

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode(), "b_poison.txt": ("POISONARTICLE. " + DEAL).encode(),
                                               "c.txt": DEAL.encode()})
    # one task per worker thread at a time, so that a dying worker holds no other article's task
    settings = {"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0}
    with dask_config.set(settings), distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                             dashboard_address=":0") as fragile:
        with distributed.Client(fragile, set_as_default=False) as fragile_client:
            fragile_client.register_plugin(Poison(extractor.options), name="poison")
        manifest = run(corpus, tmp_path / "out", extractor, batch_size=3, dask=fragile.scheduler_address)
    rows = {r.path: r for r in manifest.inputs}
    assert {k: r.status for k, r in rows.items()} == {"a.txt": "ok", "b_poison.txt": "failed", "c.txt": "ok"}
    assert rows["b_poison.txt"].error.startswith(f"{corpus / 'b_poison.txt'}: extraction failed: "
                                                 "the Dask workers extracting it died (KilledWorker: ")


# --- a scheduler and two workers as processes, one killed mid-run -----------------------

@pytest.mark.slow
def test_cli_on_scheduler_and_workers_one_killed_mid_run(dask_corpus, local_out, tmp_path):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    logs = tmp_path / "logs"
    logs.mkdir()
    processes: list[subprocess.Popen] = []

    def start(name: str, cmd: list[str]) -> subprocess.Popen:
        with (logs / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        processes.append(proc)
        return proc

    try:
        scheduler = start("scheduler", [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"])
        wait_for_port(port, scheduler, WAIT_SECONDS)
        worker_ports = [free_port(), free_port()]
        workers = {f"tcp://127.0.0.1:{p}": start(f"worker{k}", [*dask, "worker", address, "--host", "127.0.0.1",
                                                 "--worker-port", str(p), "--nthreads", "1", "--no-nanny",
                                                 "--no-dashboard", "--death-timeout", "60"])
                   for k, p in enumerate(worker_ports)}
        with distributed.Client(address, timeout=30, set_as_default=False) as watcher:
            watcher.wait_for_workers(2, timeout=WAIT_SECONDS)
            out = tmp_path / "out"
            batch = start("batch", deal_extract_cmd(dask_corpus, "-o", out, "-b", "1", "--dask", address))
            killed = None
            deadline = time.monotonic() + WAIT_SECONDS
            while killed is None:  # kill a worker that holds a task, once the first result is written
                assert batch.poll() is None, (logs / "batch.log").read_text()
                assert time.monotonic() < deadline, "no worker held a task after the first result"
                if any((out / "articles").glob("*.json")):
                    busy = [addr for addr, keys in watcher.processing().items() if keys and addr in workers]
                    if busy:
                        killed = workers[busy[0]]
                        killed.send_signal(signal.SIGKILL)
                time.sleep(0.02)
            done_at_kill = len(list((out / "articles").glob("*.json")))
            assert batch.wait(timeout=WAIT_SECONDS) == 0, (logs / "batch.log").read_text()
        assert killed.wait(timeout=10) == -signal.SIGKILL
        assert done_at_kill < len(ARTICLES), "the batch was over before the kill"
        assert_same_outputs(out, local_out)
        assert json.loads((out / "manifest.json").read_text())["totals"]["ok"] == len(ARTICLES)
    finally:
        stop(processes)


# --- --dask local: a LocalCluster started for the run ------------------------------------

@pytest.mark.slow
def test_dask_local_runs_on_a_local_cluster_of_one_worker_per_core(extractor, cluster, tmp_path, monkeypatch):
    """``--dask local`` without ``-n``: a LocalCluster of one single-threaded worker process per core
    (one here), closed after the run; the outputs of a local run. The session's cluster, whose
    workers have loaded the pipeline already, stands in for the one started."""
    import contextlib
    import os

    from deal_extract.cli import _register, app
    from deal_extract import api
    from typer.testing import CliRunner

    started = []

    def local_cluster(**kwargs):
        started.append(kwargs)
        return contextlib.nullcontext(cluster)

    monkeypatch.setattr(distributed, "LocalCluster", local_cluster)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    monkeypatch.setattr(api, "load", lambda **options: extractor)
    _register()
    articles = {"a.txt": DEAL.encode(), "b.txt": ("On Monday. " + DEAL).encode()}
    corpus, out, expected = make_corpus(tmp_path / "corpus", articles), tmp_path / "out", tmp_path / "local"
    result = CliRunner().invoke(app, ["batch", str(corpus), "-o", str(out), "--dask", "local", "-q"])
    assert result.exit_code == 0, result.output
    assert [(k["n_workers"], k["threads_per_worker"], k["processes"]) for k in started] == [(1, 1, True)]
    run(corpus, expected, extractor)
    assert_same_outputs(out, expected, articles)


def test_dask_local_scheduler_listens_on_this_machine_only_and_closes():
    from deal_extract.run.dask_engine import LOCAL, scheduler

    with scheduler(LOCAL, 0) as address:  # no worker: the scheduler alone
        assert address.startswith("tcp://127.0.0.1:")
        with connect(address, timeout=10) as client:
            assert client.scheduler_info()["workers"] == {}
    with pytest.raises(DaskError, match="cannot connect"):
        with connect(address, timeout=1):
            pass
    with scheduler("tcp://elsewhere:8786", 4) as given:
        assert given == "tcp://elsewhere:8786"


# --- errors -----------------------------------------------------------------------------

@pytest.fixture
def batch_cli(extractor, monkeypatch):
    """``deal-extract batch`` in-process with the session pipeline."""
    from typer.testing import CliRunner

    from deal_extract import api
    from deal_extract.cli import _register, app

    _register()
    monkeypatch.setattr(api, "load", lambda **options: extractor)
    return lambda *args: CliRunner().invoke(app, ["batch", *map(str, args)])


@pytest.mark.parametrize("args, missing_dask, message", [
    (["--dask", "foo"], False, "cannot connect to the Dask scheduler at foo"),
    (["--dask", "tcp://127.0.0.1:9", "-n", "2"], False, "-n and --dask do not go together"),
    (["--dask", "tcp://127.0.0.1:9"], True, "pip install 'deal-extract[dask]'"),
])
def test_cli_dask_errors_exit_2_with_one_line(batch_cli, monkeypatch, tmp_path, args, missing_dask, message):
    if missing_dask:
        monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed raises ImportError
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode()})
    result = batch_cli(corpus, "-o", tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("deal-extract batch: error: ") and message in lines[0]


def test_unreachable_scheduler_fails_within_the_connect_timeout():
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(DaskError, match=f"cannot connect to the Dask scheduler at {address}"):
        with connect(address, timeout=1):
            pass
    assert time.monotonic() - started < 10


def test_dask_is_imported_only_for_dask_runs():
    code = ("import sys; from deal_extract.cli import _register; _register(); import deal_extract.run.batch; "
            "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"
