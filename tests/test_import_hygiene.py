"""The engine is usable without the terminal UI libraries (textual, rich)."""

from __future__ import annotations

import json
import subprocess
import sys

from support import REPO, VIGNETTES

SCRIPT = r"""
import json, sys
from pathlib import Path
import yaml
from chatbot.engine.loading import load_engine
from chatbot.engine.reports.markdown import to_dict, to_markdown
engine = load_engine()
data = yaml.safe_load(Path(sys.argv[1]).read_text(encoding="utf-8"))
a = engine.replay(data["answers"])
to_markdown(a, engine.content)
to_dict(a, engine.content)
s = engine.new_session()
s.answer_current(s.options()[0].code)
s.back()
s.close()
print(json.dumps({"type": a.type, "expected": data["expect"]["type"],
                  "ui": sorted(m for m in sys.modules
                               if m.split(".")[0] in ("textual", "rich"))}))
"""


def run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=str(REPO),
        timeout=60,
    )


def test_engine_does_not_import_textual_or_rich():
    proc = run(SCRIPT, str(VIGNETTES[0]))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    expected = out["expected"] if isinstance(out["expected"], list) else [out["expected"]]
    assert out["type"] in expected  # the replay really ran
    assert out["ui"] == [], f"the engine imported UI modules: {out['ui']}"


def test_cli_assess_and_validate_do_not_import_textual_or_rich():
    code = r"""
import io, json, sys, contextlib
from chatbot import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    codes = [cli.main(["assess", "--json", sys.argv[1]]), cli.main(["validate"])]
print(json.dumps({"codes": codes, "type": json.loads(out.getvalue().split("\nOK")[0])["type"],
                  "ui": sorted(m for m in sys.modules
                               if m.split(".")[0] in ("textual", "rich"))}))
"""
    proc = run(code, str(VIGNETTES[0]))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["codes"] == [0, 0]
    assert out["ui"] == [], f"assess/validate imported UI modules: {out['ui']}"


def test_the_check_would_notice_an_import():
    """Guard against a vacuous test: importing textual does show up."""
    proc = run("import sys, textual; print('textual' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"
