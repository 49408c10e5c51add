"""The sweep's runs on a Dask distributed cluster, with every wait bounded.

Dask's client waits without a limit for a server that accepts a connection and
then says nothing (its handshake reads with no timeout), so any other TCP
server on the port would hang the sweep. Here the scheduler is first asked who
it is over a connection of our own, with a deadline; the client is started
only once it has answered as a Dask scheduler, and that start has a deadline
too. While runs train, a wait that sees none finish asks the scheduler again,
so a scheduler that dies, or one that has no workers for long, ends the sweep
in one line instead of waiting forever. A run itself may take as long as it
takes: only the silence of the scheduler is bounded.
"""
from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError

CONNECT_WAIT = 10.0      # seconds to connect and hear the scheduler say what it is
POLL = 10.0              # seconds of waiting on runs before the scheduler is asked again
NO_WORKERS_WAIT = 60.0   # seconds a scheduler may go without workers while runs wait
RESULT_WAIT = 120.0      # seconds to fetch one finished run (a few megabytes) from a worker
CLOSE_WAIT = 5.0         # seconds to say goodbye


ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):(\d{1,5})$")


def check_address(address: str) -> str:
    """``address`` if it is a scheduler's address (tcp://HOST:PORT, the scheme may
    be left out); ValueError naming it otherwise. Checked before anything starts."""
    match = ADDRESS.match(address)
    if not match or not 1 <= int(match.group(1)) <= 65535:
        raise ValueError(f"--scheduler {address!r} is not a scheduler's address: write "
                         "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    return address


class ClusterError(RuntimeError):
    """The scheduler cannot be used: the message is one line with what to do."""


def identity(address: str, wait: float = CONNECT_WAIT) -> dict:
    """What the Dask scheduler at ``address`` says it is (its workers included),
    within ``wait`` seconds; raises ClusterError otherwise."""
    try:
        # A loop of its own on a thread of its own: the caller's thread may already
        # run an event loop (a notebook, Playwright's sync API), where asyncio.run fails.
        return _within(wait + CLOSE_WAIT,
                       lambda: asyncio.run(asyncio.wait_for(_identity(address, wait), wait)))
    except TimeoutError:
        raise ClusterError(f"no Dask scheduler answered at {address} within {wait:g} s "
                           f"(something else may be listening there); {START}") from None
    except ClusterError:
        raise
    except OSError as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} "
                           f"({error.strerror or error}); {START}") from None
    except Exception as error:   # garbage on the wire: each decoder raises its own kind
        raise ClusterError(f"{address} answered, but not as a Dask scheduler "
                           f"({type(error).__name__}); {START}") from None


START = "start one with `dask scheduler` and workers with `dask worker ADDRESS`"


async def _identity(address: str, wait: float) -> dict:
    from distributed.comm import connect
    # Dask retries a refused connection until its own timeout, then names the reason:
    # let that come before ours.
    comm = await connect(address, timeout=0.8 * wait)
    try:
        await comm.write({"op": "identity", "reply": True})
        reply = await comm.read()
    finally:
        comm.abort()
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise ClusterError(f"{address} answered, but not as a Dask scheduler; {START}")
    return reply


def client_for(address: str):
    """A distributed.Client of the scheduler at ``address``, which has answered first."""
    identity(address)
    from distributed import Client
    try:
        return _within(CONNECT_WAIT, lambda: Client(address, timeout=CONNECT_WAIT))
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"the Dask scheduler at {address} answered, but a client could not "
                           f"start within {CONNECT_WAIT:g} s ({error}); {START}") from None


def _within(seconds: float, make: Callable):
    """``make()``, or TimeoutError if it has not returned after ``seconds`` (it goes
    on in a daemon thread, which does not keep the process alive)."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = make()
        except BaseException as error:   # handed to the caller as it is
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimeoutError(f"no answer after {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def run_all(address: str, jobs: Iterable[tuple[str, Callable, tuple]],
            done: Callable[[str, dict], None]) -> None:
    """Run ``fn(*args)`` for each (key, fn, args) of ``jobs`` on the cluster and
    call ``done(key, result)`` as each finishes; a run whose worker was lost
    comes back as {"error": ...}. Raises ClusterError when the scheduler stops
    answering or has had no workers for NO_WORKERS_WAIT seconds."""
    from distributed import wait
    client = client_for(address)
    try:
        futures = {client.submit(fn, *args, pure=False, key=f"charrnn-run-{key}"): key
                   for key, fn, args in jobs}
        waiting, idle_since = set(futures), None
        while waiting:
            try:
                finished, waiting = wait(waiting, timeout=POLL, return_when="FIRST_COMPLETED")
            except TimeoutError:
                idle_since = _still_there(address, idle_since)
                continue
            except CancelledError:   # what the client says when its scheduler is gone
                raise ClusterError(f"lost the Dask scheduler at {address} while runs were "
                                   f"training (the runs that finished are kept); {START}") from None
            for future in finished:
                done(futures[future], _result(future))
    except KeyboardInterrupt:
        client.cancel(list(futures))
        raise
    finally:
        with contextlib.suppress(Exception):   # closing a client of a dead scheduler
            client.close(timeout=CLOSE_WAIT)


def _result(future) -> dict:
    try:
        return future.result(timeout=RESULT_WAIT)
    except TimeoutError:
        return {"error": f"the finished run could not be fetched within {RESULT_WAIT:g} s"}
    except Exception as error:   # the worker died (KilledWorker) or the run was lost
        return {"error": f"{type(error).__name__}: {error}"}


def _still_there(address: str, idle_since: float | None) -> float | None:
    """Ask the scheduler who it is; returns since when it has had no workers (None:
    it has some). Raises ClusterError when it is gone or idle for too long."""
    try:
        workers = identity(address).get("workers") or {}
    except ClusterError as error:
        raise ClusterError(f"lost the Dask scheduler while runs were training: {error}") from None
    if workers:
        return None
    now = time.monotonic()
    if idle_since is not None and now - idle_since >= NO_WORKERS_WAIT:
        raise ClusterError(f"the Dask scheduler at {address} has had no workers for "
                           f"{NO_WORKERS_WAIT:g} s; start them with `dask worker {address}`")
    return now if idle_since is None else idle_since
