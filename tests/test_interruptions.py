"""Ctrl-C, SIGTERM and damaged files: what finished is kept, the manifest says what happened."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from hetsim.analysis.interruption import Terminated
from hetsim.cli import main
from hetsim.simulation.recorder import Recorder

SMALL = ["--set", "communities.count=6", "--set", "annotators.count=6"]
EXPERIMENTS = {
    "compare": ["compare", "status_quo", "--intervention", "audit_regime", "--seeds", "2"],
    "sweep": ["sweep", "status_quo", "--param", "regulators.audit_probability=0.0,1.0",
              "--seeds", "2"],
    "sensitivity": ["sensitivity", "status_quo", "--param", "regulators.audit_probability=0:1",
                    "--samples", "2", "--metric", "audits"],
    "discover": ["discover", "status_quo", "--intervention", "audit_regime", "--uncertain",
                 "regulators.audit_probability=0:1", "--samples", "2", "--outcome", "audits",
                 "--seeds", "2"],
}  # fmt: skip


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def interrupt_after(monkeypatch, target: str, calls: int, exc: type[BaseException]) -> None:
    """Make ``target`` raise ``exc`` on its call number ``calls + 1`` (as Ctrl-C would)."""
    module, name = target.rsplit(".", 1)
    import importlib

    owner = importlib.import_module(module)
    original = getattr(owner, name)
    count = {"n": 0}

    def wrapped(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise exc()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapped)


@pytest.mark.parametrize(("exc", "code"), [(KeyboardInterrupt, 130), (Terminated, 143)])
def test_an_interrupted_run_keeps_its_whole_steps_and_says_so(
    exc, code, tmp_path, monkeypatch, capsys
):
    # Recording is the last phase of a step: interrupting it cuts the fourth step short.
    original = Recorder.record
    count = {"n": 0}

    def record(self):
        count["n"] += 1
        if count["n"] == 4:
            raise exc()
        original(self)

    monkeypatch.setattr(Recorder, "record", record)
    out = tmp_path / "run"
    assert main(["run", "status_quo", "--steps", "6", *SMALL, "--quiet", "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err and "Traceback" not in err
    stored = manifest(out)
    assert stored["status"] == "interrupted"
    assert stored["interrupted_by"] == ("SIGTERM" if code == 143 else "SIGINT")
    for name in ("metrics", "communities", "flows"):
        table = pd.read_parquet(out / f"{name}.parquet")
        assert table["step"].max() == stored["steps_completed"] == 3, name
    assert len(pd.read_parquet(out / "metrics.parquet")) == 3


@pytest.mark.parametrize("command", sorted(EXPERIMENTS))
def test_an_interrupted_experiment_resumes_to_the_same_tables(
    command, tmp_path, monkeypatch, capsys
):
    argv = [*EXPERIMENTS[command], "--steps", "3", *SMALL, "--workers", "1", "--quiet"]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert main([*argv, "--out", str(whole)]) == 0
    capsys.readouterr()  # what the whole experiment said (a discovery's finding) is not checked
    with monkeypatch.context() as patch:
        interrupt_after(patch, "hetsim.analysis.tasks.run_task_tables", 2, KeyboardInterrupt)
        assert main([*argv, "--out", str(cut)]) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("hetsim:") == 1 and "--resume" in err
    stopped = manifest(cut)
    assert stopped["status"] == "interrupted" and stopped["runs_done_now"] == 2
    planned = stopped["runs_planned"]
    assert stopped["runs_not_run"] == planned - 2 and stopped["runs_failed"] == []
    assert len(pd.read_parquet(cut / "runs.parquet")) == 2 * 3  # the two finished runs
    assert main([*argv, "--out", str(cut), "--resume"]) == 0
    resumed = manifest(cut)
    assert resumed["status"] == "completed" and resumed["runs_resumed"] == 2
    assert resumed["runs_done_now"] == planned - 2
    assert (cut / "runs.parquet").read_bytes() == (whole / "runs.parquet").read_bytes()


def test_resume_reruns_a_damaged_run_and_says_so(tmp_path, capsys):
    argv = [*EXPERIMENTS["compare"], "--steps", "3", *SMALL, "--workers", "1", "--quiet"]
    out = tmp_path / "exp"
    assert main([*argv, "--out", str(out)]) == 0
    whole = (out / "runs.parquet").read_bytes()
    damaged = out / "runs" / "baseline" / "seed=1.parquet"
    damaged.write_bytes(damaged.read_bytes()[:200])  # a truncated file, as after a full disk
    capsys.readouterr()
    assert main([*argv, "--out", str(out), "--resume"]) == 0
    assert "baseline seed=1: stored run is damaged" in capsys.readouterr().err
    assert manifest(out)["runs_damaged_rerun"] == ["baseline seed=1"]
    assert (out / "runs.parquet").read_bytes() == whole


def test_query_and_report_on_a_damaged_runs_table_are_one_message(tmp_path, capsys):
    out = tmp_path / "exp"
    argv = [*EXPERIMENTS["compare"], "--steps", "2", *SMALL, "--workers", "1", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    runs = out / "runs.parquet"
    runs.write_bytes(runs.read_bytes()[:100])
    capsys.readouterr()
    for argv in (["query", str(out), "SELECT count(*) FROM runs"], ["report", str(out)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and f"{runs}: damaged" in err, err


def test_query_cannot_reach_files_unless_allowed(tmp_path, capsys):
    out = tmp_path / "exp"
    argv = [*EXPERIMENTS["compare"], "--steps", "2", *SMALL, "--workers", "1", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    leak = tmp_path / "leak.csv"
    capsys.readouterr()
    for sql in (
        f"COPY runs TO '{leak}'",
        f"SELECT * FROM read_text('{secret}')",
        f"ATTACH '{tmp_path / 'other.db'}'",
    ):
        assert main(["query", str(out), sql]) == 2
        assert "--allow-files" in capsys.readouterr().err
    assert not leak.exists() and not (tmp_path / "other.db").exists()
    assert main(["query", str(out), "SELECT count(*) AS n FROM runs", "--csv"]) == 0
    assert capsys.readouterr().out.split() == ["n", str(2 * 2 * 2)]
    sql = f"SELECT content FROM read_text('{secret}')"
    assert main(["query", str(out), sql, "--csv", "--allow-files"]) == 0
    assert "private" in capsys.readouterr().out


def test_a_scenario_name_cannot_write_outside_results(tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("../../escape", "/tmp/absolute"):
        world = work / "world.toml"
        world.write_text(f'name = "{name}"\n[communities]\ncount = 4\n[annotators]\ncount = 4\n')
        assert main(["run", str(world), "--steps", "1", "--quiet"]) == 0
    made = sorted(p.name for p in (work / "results").iterdir())
    assert made == ["escape-seed0", "tmp_absolute-seed0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


# ------------------------------------------------------------------------------- dask


def serve(reply: bytes | None) -> tuple[socket.socket, str]:
    """A TCP server on 127.0.0.1 that accepts and then sends ``reply`` (or stays silent)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held = []

    def accept():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            if reply:
                conn.sendall(reply)

    threading.Thread(target=accept, daemon=True).start()
    return server, f"tcp://127.0.0.1:{server.getsockname()[1]}"


@pytest.mark.parametrize("reply", [None, b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 64])
def test_a_scheduler_that_does_not_speak_dask_is_an_error_not_a_hang(reply):
    from distributed import Client

    from hetsim.analysis.cluster import connect
    from hetsim.simulation.schema import ScenarioError

    server, address = serve(reply)
    try:
        with pytest.raises(ScenarioError, match="cannot connect"):
            connect(Client, address, timeout=1.0)
    finally:
        server.close()


def test_a_local_cluster_listens_on_loopback_and_serves_no_pages():
    import urllib.error
    import urllib.request

    from hetsim.analysis.ensemble import DaskExecutor

    executor = DaskExecutor("local", 1)
    try:
        executor.start()
        info = executor._client.scheduler_info()
        assert info["address"].startswith("tcp://127.0.0.1:")
        port = info["services"].get("dashboard")
        assert port is not None  # distributed always opens an HTTP port; it must serve nothing
        for page in ("/status", "/info/main/workers.html", "/json/index.html", "/health"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=10)
            assert answer.value.code == 404
    finally:
        executor.close()


def test_ctrl_c_on_compare_with_worker_processes_is_one_line(tmp_path):
    """A real Ctrl-C to the whole process group, as a terminal sends it."""
    out = tmp_path / "exp"
    # 40 runs: the interrupt lands while most are still to come, even on a loaded machine
    argv = [*EXPERIMENTS["compare"], "--seeds", "20", "--steps", "100", *SMALL, "--workers", "2"]
    child = subprocess.Popen(
        [sys.executable, "-m", "hetsim.cli", *argv, "--quiet", "--out", str(out)],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # as from a terminal: a shell running the suite in the background (CI) starts children
        # with SIGINT ignored, and Python then never turns it into KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 300  # a safety net for a broken build, not a measurement
    while not list(out.glob("runs/*/*.parquet")) and time.monotonic() < deadline:
        if child.poll() is not None:
            break
        time.sleep(0.2)
    assert child.poll() is None, "the experiment ended before it could be interrupted"
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=300)
    assert child.returncode == 130, err
    assert "Traceback" not in err and err.strip().count("\n") == 0, err
    stored = manifest(out)
    assert stored["status"] == "interrupted"
    files = len(list(out.glob("runs/*/*.parquet")))
    assert stored["runs_done_now"] == files >= 1
    assert stored["runs_done_now"] + stored["runs_not_run"] == stored["runs_planned"] == 40
