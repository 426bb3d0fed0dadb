"""Where the projects of a batch are built: forked processes here, or Dask or Ray workers.

Each executor takes work items and calls `done(index, outcome)` as each one finishes, in
the order they finish. An outcome is a plain dict (status, warnings, errors, seconds,
peak_memory, attempts; `files` {name: bytes} for work sent by content).

- `local`: one forked process per project, at most `jobs` at a time, each building with
  one process (build.build(jobs=1)) in the shared file system. A process that dies (the
  out-of-memory killer) fails only its project, which is tried once more.
- `dask` / `ray`: the project goes by content (`package`: its files as bytes and the
  options); `build_package` runs on the worker, builds in a temporary folder and returns
  the outputs' bytes. Both engines are optional extras, imported only here and only when
  chosen. A task whose worker dies (Dask: KilledWorker, with the scheduler's
  allowed-failures at 0; Ray: WorkerCrashedError and the like, max_retries=0) is sent
  once more from here, so `attempts` is exact and the reason is quire's to word.
Executors also tell `running(n)`, how many projects are building (for the progress line).
Peak memory is the building process's high-water mark of resident memory (VmHWM, reset
before each project where Linux allows it), including what the process held before.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from .errors import QuireError

Done = Callable[[int, dict], None]
Running = Callable[[int], None] | None


def _in_flight(running: Running, slots: int):
    """A counter of submitted, unfinished work that tells `running` min(in flight, slots)
    (an engine runs at most one project per worker slot)."""
    state = {"flight": 0, "told": None}

    def change(delta: int) -> None:
        state["flight"] += delta
        now = min(state["flight"], max(slots, 1))
        if running and now != state["told"]:
            state["told"] = now
            running(now)
    return change


# -- building one project, in whichever process runs it ---------------------------------
def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")           # resets VmHWM to the current resident size
    except OSError:
        pass


def _peak() -> int | None:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _problems(text: str) -> list[dict]:
    from .build import BuildWarning
    return [_where(BuildWarning.of(line)) for line in text.splitlines() if line.strip()]


def _where(warning) -> dict:
    return {"message": warning.message, "path": warning.path, "line": warning.line}


def build_here(project: str, out: str, formats: tuple, variant, strict: bool) -> dict:
    """Build `project` into `out` in this process, with one process; never raises."""
    from .build import build

    _reset_peak()
    start = time.perf_counter()
    outcome: dict = {"warnings": [], "errors": [], "files": []}
    try:
        result = build(project, formats, out, variant, strict, jobs=1)
        outcome.update(status="up to date" if result.up_to_date else "built",
                       written=[str(p) for p in result.written],
                       warnings=[_where(w) for w in result.warnings])
    except QuireError as err:
        outcome.update(status="failed", errors=_problems(str(err)))
    except Exception as err:  # noqa: BLE001 - a bug in one project must not stop the batch
        outcome.update(status="failed", errors=[{
            "message": f"internal error (a bug in quire): {type(err).__name__}: {err}",
            "path": None, "line": None}], traceback=traceback.format_exc())
    outcome.update(seconds=round(time.perf_counter() - start, 3), peak_memory=_peak())
    return outcome


def build_package(package: dict) -> dict:
    """On a worker: write the project's files into a temporary folder, build them there
    and return the outcome with the outputs' bytes (`files`) and the inputs the build read
    (`inputs`, relative to the project), for the client's cache."""
    from .build import cache_key
    from .cache import BuildCache

    _test_kill(package["folder"])
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    with tempfile.TemporaryDirectory(prefix="quire-batch-") as temp:
        root = Path(temp).resolve() / package["folder"]   # its name may name the book
        for name, data in package["files"].items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        root.mkdir(parents=True, exist_ok=True)
        out = Path(temp) / ".out"
        _set_epoch(package.get("epoch"))
        try:
            outcome = build_here(str(root), str(out), tuple(package["formats"]),
                                 package["variant"], package["strict"])
        finally:
            _set_epoch(previous)
        written = [Path(p) for p in outcome.pop("written", [])]
        outcome["files"] = {p.name: p.read_bytes() for p in written}
        record = BuildCache(out)._state().get(
            cache_key(tuple(package["formats"]), package["variant"]), {})
        outcome["digest"] = record.get("inputs")     # by names relative to the project
        outcome["inputs"] = sorted(str(Path(p).relative_to(root)) for p in record.get("extra", [])
                                   if Path(p).is_relative_to(root))
        prefix = str(root) + os.sep             # messages name the project, not the temp folder
        for problem in outcome["warnings"] + outcome["errors"]:
            problem["message"] = problem["message"].replace(prefix, "")
    return outcome


def _test_kill(folder: str) -> None:
    """For the tests only: with QUIRE_TEST_KILL_WORKER=DIR in the worker's environment, the
    project folder X kills the process building it (SIGKILL, as the out-of-memory killer
    does) each time if DIR/X.always exists, or once if DIR/X.once does (DIR/X.killed then
    records it), so that a worker dies on the engine's own failure path."""
    marks = os.environ.get("QUIRE_TEST_KILL_WORKER")
    if not marks:
        return
    marks = Path(marks)
    if (marks / f"{folder}.always").exists() or (
            (marks / f"{folder}.once").exists() and not (marks / f"{folder}.killed").exists()):
        (marks / f"{folder}.killed").touch()
        os.kill(os.getpid(), signal.SIGKILL)


def _set_epoch(value: str | None) -> None:
    if value is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = value


def died(reason: str, attempts: int) -> dict:
    return {"status": "failed", "warnings": [], "files": [], "seconds": None,
            "peak_memory": None, "attempts": attempts,
            "errors": [{"message": f"worker died: {reason}", "path": None, "line": None}]}


# -- local: a forked process per project -------------------------------------------------
def _child(connection, work: tuple) -> None:
    import logging
    logging.getLogger("quire").handlers.clear()     # the parent's printers: the CLI reports
    connection.send(build_here(*work))
    connection.close()


def local(works: list[tuple], jobs: int, done: Done, running_now: Running = None) -> None:
    """Build each `(project, out, formats, variant, strict)` in a forked process of its
    own, `jobs` at a time; a process that dies is started once more."""
    context = multiprocessing.get_context("fork")
    waiting = [(index, 1) for index in range(len(works))]
    running: dict = {}          # process sentinel -> [process, connection, index, attempt, outcome]
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                index, attempt = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(send, works[index]))
                process.start()
                send.close()
                running[process.sentinel] = [process, receive, index, attempt, None]
                if running_now:
                    running_now(len(running))
            readable = {entry[1]: entry for entry in running.values() if not entry[1].closed}
            for ready in multiprocessing.connection.wait([*running, *readable]):
                if ready in readable:       # read before the exit: a full pipe would block it
                    entry = readable[ready]
                    try:
                        entry[4] = ready.recv()
                    except (EOFError, OSError):
                        pass
                    ready.close()
                    continue
                process, receive, index, attempt, outcome = running.pop(ready)
                if outcome is None and not receive.closed and receive.poll():
                    try:
                        outcome = receive.recv()
                    except (EOFError, OSError):
                        pass
                receive.close()
                process.join()
                if running_now:
                    running_now(len(running))
                if outcome is not None:
                    done(index, {**outcome, "attempts": attempt})
                elif attempt == 1:
                    waiting.insert(0, (index, 2))
                else:
                    done(index, died(_exit_reason(process.exitcode), attempt))
    finally:
        for process, receive, *_ in running.values():
            process.kill()
            process.join()
            receive.close()


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {-code} ({signal.Signals(-code).name})"
    return f"exit status {code}"


# -- Dask ----------------------------------------------------------------------------------
def dask(packages: list[dict], address: str | None, jobs: int, done: Done,
         running: Running = None) -> None:
    """Send each package to Dask workers: the scheduler at `address`, else a local cluster
    of `jobs` single-threaded worker processes started (and stopped) here. A task whose
    worker died (KilledWorker) is submitted once more, under a new key."""
    try:
        import dask as engine
        from distributed import Client, KilledWorker, LocalCluster, as_completed
    except ImportError:
        raise QuireError("--executor dask needs Dask: pip install 'quire[dask]'") from None
    cluster = None
    # The scheduler gives up on a task at the first worker that dies running it; quire
    # then sends it once more (a scheduler of your own: see the README).
    with engine.config.set({"distributed.scheduler.allowed-failures": 0}):
        if address:
            client = Client(address, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
    try:
        change = _in_flight(running, sum(client.nthreads().values()) or jobs)

        def submit(index: int, attempt: int):
            key = f"quire-{index}-{attempt}-{packages[index]['folder']}-{os.getpid()}"
            return client.submit(build_package, packages[index], pure=False, key=key)
        futures = {submit(index, 1): (index, 1) for index in range(len(packages))}
        change(len(futures))
        pending = as_completed(futures)
        for future in pending:
            index, attempt = futures.pop(future)
            try:
                outcome = future.result()
            except KilledWorker as err:
                if attempt == 1:
                    again = submit(index, 2)
                    futures[again] = (index, 2)
                    pending.add(again)
                    continue
                outcome = died(f"the Dask worker running it died "
                               f"({err.last_worker.address}, KilledWorker)", attempt)
            except Exception as err:  # noqa: BLE001 - the scheduler or the connection
                outcome = died(f"{type(err).__name__}: {err}", attempt)
            finally:
                future.release()
            change(-1)
            done(index, {**outcome, "attempts": attempt})
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- Ray -------------------------------------------------------------------------------------
def ray(packages: list[dict], address: str | None, jobs: int, done: Done,
        running: Running = None) -> None:
    """Send each package to Ray workers: the cluster at `address`, else a local Ray
    instance of `jobs` CPUs started (and stopped) here. A task whose worker process died
    (WorkerCrashedError, OutOfMemoryError, NodeDiedError) is submitted once more."""
    try:
        import ray as engine
    except ImportError:
        raise QuireError("--executor ray needs Ray: pip install 'quire[ray]'") from None
    started = not engine.is_initialized()
    if started:
        options = {"address": address} if address else {"num_cpus": jobs}
        if os.environ.get("QUIRE_RAY_RUNTIME_ENV"):     # e.g. {"pip": ["quire==0.1.0"]}
            import json
            options["runtime_env"] = json.loads(os.environ["QUIRE_RAY_RUNTIME_ENV"])
        engine.init(include_dashboard=False, log_to_driver=False, logging_level="ERROR",
                    **options)
    errors = engine.exceptions
    deaths = (errors.WorkerCrashedError, errors.OutOfMemoryError, errors.NodeDiedError,
              errors.LocalRayletDiedError)
    try:
        task = engine.remote(num_cpus=1, max_retries=0)(build_package)
        pending = {task.remote(package): (index, 1) for index, package in enumerate(packages)}
        change = _in_flight(running, int(engine.cluster_resources().get("CPU", jobs)))
        change(len(pending))
        while pending:
            ready, _ = engine.wait(list(pending), num_returns=1)
            index, attempt = pending.pop(ready[0])
            try:
                outcome = engine.get(ready[0])
            except deaths as err:
                if attempt == 1:
                    pending[task.remote(packages[index])] = (index, 2)
                    continue
                outcome = died(f"the Ray worker running it died ({type(err).__name__}: "
                               f"{str(err).strip().splitlines()[0][:200]})", attempt)
            except errors.RayError as err:
                outcome = died(f"{type(err).__name__}: {str(err).splitlines()[0]}", attempt)
            change(-1)
            done(index, {**outcome, "attempts": attempt})
    finally:
        if started:
            engine.shutdown()
