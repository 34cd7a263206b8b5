"""The File Cabinet, where the files documents carry go: the REST document service answers, the role may use
Documents and Files, and the mapping's folder is there (or can be made by the first export).

Reads only (the folder's fixed part is looked up, never made). Oracle: "Working with File Cabinet Records in
REST Web Services" (the document service, 10 MB per request); "Documents and Files" (``LIST_FILECABINET``) is
the permission on the File Cabinet.
"""

from __future__ import annotations

import string
from functools import partial

from tms_netsuite.doctor._context import (
    DOCS_PERMISSIONS,
    Context,
    retried_read,
    skipped,
    transient,
    unchecked,
)
from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.doctor._setup import guide_link
from tms_netsuite.mapping import MappingConfig
from tms_netsuite.netsuite import NotFoundError, RequestError, SetupError

DOCS_FILES = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0909085903.html"
FILE_CABINET_PATH = "Documents > Files > File Cabinet"
_PERMISSION_FIX = (
    "Give the integration role Documents and Files at Full (Setup > Users/Roles > Manage Roles > the role > "
    "Permissions > Lists); then check that the folder is not restricted to a group, department or class the "
    "integration user is outside of (the folder's Restrict by fields)."
)


def fixed_folder(mapping: MappingConfig | None) -> tuple[str, ...]:
    """The folder names before the first placeholder: the part every document's folder shares."""
    template = mapping.attachments.folder if mapping is not None else "/TMS Documents/{year}/{month}"
    names: list[str] = []
    for part in template.split("/"):
        if not part:
            continue
        if any(field is not None for _, field, _, _ in string.Formatter().parse(part)):
            break
        names.append(part)
    return tuple(names)


async def check_files(ctx: Context) -> CheckResult:
    title = title_of("files")
    client = ctx.client
    if client is None or not ctx.passed("connection"):
        return skipped("files", "the connection failed")
    names = fixed_folder(ctx.mapping)
    parent: str | None = None
    try:
        for depth, name in enumerate(names):
            where = "parent EMPTY" if parent is None else f"parent ANY_OF {parent}"
            query = f'name IS "{name}" AND {where}'
            found = await retried_read(ctx, partial(client.find_documents, "folder", query))
            if not found:
                missing = "/" + "/".join(names[: depth + 1])
                return CheckResult(
                    "files",
                    title,
                    Status.WARN,
                    f"the REST document service answers; folder {missing} does not exist yet: the first export "
                    "that carries files makes it (with Documents and Files at Create or higher)",
                    f"To choose who may see the files, make it yourself at {FILE_CABINET_PATH} > New Folder "
                    f"({guide_link('files')}).",
                    DOCS_FILES,
                )
            parent = found[0]
    except SetupError as exc:  # 403: no Documents and Files, or not at a level that reads folders
        return CheckResult(
            "files",
            title,
            Status.FAIL,
            f"the File Cabinet refused the role: {exc.detail or exc}",
            _PERMISSION_FIX,
            DOCS_PERMISSIONS,
        )
    except NotFoundError:
        return CheckResult(
            "files",
            title,
            Status.FAIL,
            "the REST document service (/services/rest/document/v1) is not available in this account",
            "It comes with NetSuite's newer releases; until the account has it, leave attachments out of the "
            f"documents (files wait as failed otherwise). See {guide_link('files')}.",
            DOCS_FILES,
        )
    except RequestError as exc:
        if transient(exc):
            return unchecked("files", "the File Cabinet's folders", exc)
        return CheckResult(
            "files",
            title,
            Status.FAIL,
            f"the File Cabinet could not be read: {exc}",
            _PERMISSION_FIX,
            DOCS_FILES,
        )
    shown = "/" + "/".join(names) if names else "the File Cabinet's root"
    return CheckResult(
        "files",
        title,
        Status.PASS,
        f"the REST document service answers; folder {shown} found (id {parent}); the folders beneath it are made "
        "as documents need them",
        None,
        DOCS_FILES,
    )
