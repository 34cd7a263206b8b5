"""The File Cabinet: the REST document service for files and folders, ``!attach`` / ``!detach`` of files on
records, and the ``file`` and ``mediaitemfolder`` tables SuiteQL reads. File contents live in the account's
database."""

from __future__ import annotations

from ._service import DOCUMENT_PATH, FILE_CABINET, FILE_LIMIT, FileService

__all__ = ["DOCUMENT_PATH", "FILE_CABINET", "FILE_LIMIT", "FileService"]
