"""`tms-netsuite setup-guide`: made from the doctor's own tables, committed as docs/netsuite-setup.md."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from tms_netsuite.cli import main
from tms_netsuite.doctor import setup_guide
from tms_netsuite.doctor._model import CHECKS
from tms_netsuite.doctor._setup import FEATURES, GOTCHAS, SECTIONS, features_fix
from tms_netsuite.doctor.permissions import LEVEL_NAMES, OAUTH2_LOGIN, required_permissions
from tms_netsuite.mapping import demo_mapping_path, load_mapping

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "netsuite-setup.md"


def test_the_committed_guide_is_current() -> None:
    """docs/netsuite-setup.md is exactly what `tms-netsuite setup-guide` prints (regenerate it with
    `tms-netsuite setup-guide --out docs/netsuite-setup.md`)."""
    printed = CliRunner().invoke(main, ["setup-guide"])
    assert printed.exit_code == 0, printed.output
    assert printed.output == COMMITTED.read_text(encoding="utf-8")


def test_every_permission_the_doctor_checks_is_in_the_guide_at_its_level() -> None:
    text = setup_guide().markdown()
    for permission in (*required_permissions("tba"), OAUTH2_LOGIN):
        row = f"| {permission.name} | `{permission.permkey}` | {LEVEL_NAMES[permission.level]} |"
        assert row in text, permission


def test_every_check_and_gotcha_points_at_a_section_that_exists() -> None:
    text = setup_guide().markdown()
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', text))
    assert anchors == set(SECTIONS)
    assert {check.section for check in CHECKS} <= anchors
    ids = {check.id for check in CHECKS}
    for gotcha in GOTCHAS:
        assert set(gotcha.checks) <= ids, gotcha
        assert gotcha.section in anchors, gotcha
    for check in CHECKS:  # every check is named in the guide, under its section
        assert f"`{check.id}`" in text, check.id


def test_the_features_the_doctor_asks_for_are_the_guides() -> None:
    text = setup_guide().markdown()
    for feature in FEATURES:
        assert f"| {feature.name} | {feature.where} |" in text
    for method in ("tba", "oauth2"):
        fix = features_fix(method)
        assert "docs/netsuite-setup.md#features" in fix
        assert all(f.name in fix for f in FEATURES if f.when in ("always", method))


def test_a_mapping_tailors_the_guide(tmp_path: Path) -> None:
    """With --mapping the guide names the subsidiaries, accounts, items and custom fields of that mapping;
    without one it names none of the demo's subsidiaries."""
    tailored = CliRunner().invoke(main, ["setup-guide", "--mapping", str(demo_mapping_path())]).output
    mapping = load_mapping(demo_mapping_path())
    for company in mapping.companies.values():
        assert company.subsidiary in tailored
    for needed in (
        "Fuel Surcharge",
        "custbody_load_number",
        "Dallas Terminal",
        "| Freight Co Canada | `bank` | 1020 |",
    ):
        assert needed in tailored, needed
    assert "Freight Co US" not in setup_guide().markdown()


def test_html_and_out(tmp_path: Path) -> None:
    out = tmp_path / "guide.html"
    result = CliRunner().invoke(main, ["setup-guide", "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for anchor in SECTIONS:
        assert f'id="{anchor}"' in page
    assert "<code>ADMI_RESTWEBSERVICES</code>" in page
    assert "TMS Integration Role" in page
