"""The doctor's `files` check against the emulator: the folder found, missing (made by the first export), and a
role without Documents and Files; read-only; and the setup guide's section on it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tms_netsuite.doctor import DoctorReport, Status, run_doctor, setup_guide
from tms_netsuite.mapping import demo_mapping_path, load_mapping

pytestmark = pytest.mark.anyio
BASE_URL = "http://emulator.test"


async def _no_sleep(seconds: float) -> None:
    return None


async def diagnose(emulator: Emulator, tmp_path: Path) -> DoctorReport:
    before = emulator.store.fingerprint()
    report = await run_doctor(
        emulator.env(who="integration", base_url=BASE_URL, key_dir=tmp_path),
        mapping=load_mapping(demo_mapping_path()),
        transport=httpx.ASGITransport(app=emulator.app),
        sleep=_no_sleep,
    )
    assert emulator.store.fingerprint() == before, "the doctor wrote to NetSuite"
    return report


async def test_a_missing_folder_is_a_warning_the_first_export_resolves(tmp_path: Path) -> None:
    with Emulator.from_scenario("healthy") as emulator:
        report = await diagnose(emulator, tmp_path)
        count = emulator.store.query("SELECT COUNT(*) FROM mediaitemfolder")[0][0]
    files = report.get("files")
    assert files.status is Status.WARN
    assert "/TMS Documents does not exist yet" in files.detail
    assert files.fix is not None
    assert "docs/netsuite-setup.md#files" in files.fix
    assert count == 0  # looked up, never made


async def test_an_existing_folder_passes_with_its_id(tmp_path: Path) -> None:
    with Emulator.from_scenario("healthy") as emulator:
        emulator.store.execute(
            "INSERT INTO mediaitemfolder (id, name, lastmodifieddate) VALUES (41, 'TMS Documents', '2026-10-01')"
        )
        report = await diagnose(emulator, tmp_path)
    files = report.get("files")
    assert files.status is Status.PASS, files
    assert "folder /TMS Documents found (id 41)" in files.detail


async def test_a_role_without_documents_and_files_fails_with_the_fix(tmp_path: Path) -> None:
    with Emulator.from_scenario("healthy") as emulator:
        emulator.store.execute(
            "DELETE FROM rolepermissions WHERE role = 1001 AND permkey = 'LIST_FILECABINET'"
        )
        report = await diagnose(emulator, tmp_path)
    files = report.get("files")
    assert files.status is Status.FAIL  # the permission probes read records, not the File Cabinet
    assert "Documents and Files" in files.detail
    assert files.fix is not None
    assert "Documents and Files at Full" in files.fix


def test_the_setup_guide_has_the_file_cabinet_section() -> None:
    text = setup_guide(load_mapping(demo_mapping_path())).markdown()
    assert "9b. File Cabinet folder for attachments" in text
    assert "/TMS Documents/{year}/{month}" in text
    assert "Checked by `tms-netsuite doctor`: `files`" in text
