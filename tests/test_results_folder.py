"""An experiment folder holds one experiment: resumed only by the same one, read only itself.

Each run file carries the run's identity (the resolved scenario, seed, steps, code version), so
``resume`` with another ``set``, or after an intervention file was edited, is refused even when
``manifest.json`` is gone. Files are read from the folder itself, never through a link planted
in it; a folder where a file belongs is one message.
"""

from __future__ import annotations

import pytest

import hetsim

SMALL = ["communities.count=3", "annotators.count=3", "large_entities.count=1"]


def _compare(out, **kwargs):
    args = {"seeds": 2, "steps": 1, "set": SMALL, "workers": 1, "out": out, **kwargs}
    return hetsim.compare("status_quo", ["audit_regime"], **args)


def test_resume_refuses_runs_of_another_set_even_without_the_manifest(tmp_path):
    out = tmp_path / "exp"
    assert _compare(out).outcome.ok
    (out / "manifest.json").unlink()
    with pytest.raises(hetsim.ScenarioError, match="stored by a different experiment"):
        _compare(out, resume=True, set=[*SMALL[:2], "large_entities.count=2"])
    assert _compare(out, resume=True).outcome.skipped == 4  # the same experiment resumes


def test_resume_refuses_runs_of_an_intervention_file_since_edited(tmp_path):
    nudge = tmp_path / "nudge.toml"
    nudge.write_text("[regulators]\naudit_probability = 0.5\n")
    args = {"seeds": 2, "steps": 1, "set": SMALL, "workers": 1, "out": tmp_path / "exp"}
    hetsim.compare("status_quo", [str(nudge)], **args)
    nudge.write_text("[regulators]\naudit_probability = 0.9\n")
    (tmp_path / "exp" / "manifest.json").unlink()  # the runs alone must say what they are
    with pytest.raises(hetsim.ScenarioError, match="stored by a different experiment"):
        hetsim.compare("status_quo", [str(nudge)], resume=True, **args)


def test_query_refuses_a_link_out_of_the_folder(tmp_path):
    out = tmp_path / "exp"
    _compare(out)
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    (out / "comparison.csv").unlink()
    (out / "comparison.csv").symlink_to(secret)
    with pytest.raises(hetsim.ScenarioError, match="outside the folder"):
        hetsim.query(out, "SELECT * FROM comparison")


@pytest.mark.parametrize("name", ["comparison.csv", "report.html", "runs.parquet"])
def test_a_folder_where_a_file_belongs_is_one_message(tmp_path, name):
    out = tmp_path / "exp"
    _compare(out)
    (out / name).unlink()
    (out / name).mkdir()
    with pytest.raises(hetsim.ScenarioError, match="is a folder"):
        hetsim.report(out)
