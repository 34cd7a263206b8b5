"""The File Cabinet's tables in the account's SQLite store.

``mediaitemfolder`` and ``file`` carry the names SuiteQL gives them (NetSuite's SuiteQL exposes folders as
``MediaItemFolder`` and files as ``File``, with ``folder`` on a file and ``parent`` on a folder: third-party
SuiteQL examples, e.g. timdietrich.me "NetSuite SuiteQL File Cabinet" queries; the column set here is the part
an exporter reads). The bytes and the attachments are the emulator's own tables, never exposed: SuiteQL shows
no file content, and the table NetSuite keeps attachments in is not documented for SuiteQL.

The tables are made when the document service starts (``CREATE TABLE IF NOT EXISTS``), so an account database
made before the File Cabinet existed gains them, and the store's schema version stays the records' own.
"""

from __future__ import annotations

FILES_SQL = """
CREATE TABLE IF NOT EXISTS mediaitemfolder (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent INTEGER REFERENCES mediaitemfolder(id),
    description TEXT,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT,
    lastmodifieddate TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS mediaitemfolder_name ON mediaitemfolder (COALESCE(parent, 0), lower(name));
CREATE TABLE IF NOT EXISTS file (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    folder INTEGER NOT NULL REFERENCES mediaitemfolder(id),
    filetype TEXT NOT NULL,
    filesize INTEGER NOT NULL,
    description TEXT,
    url TEXT NOT NULL,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT,
    createddate TEXT NOT NULL,
    lastmodifieddate TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS file_name ON file (folder, lower(name));
CREATE TABLE IF NOT EXISTS emulator_filecontent (
    file INTEGER PRIMARY KEY REFERENCES file(id),
    content BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS emulator_fileattachment (
    file INTEGER NOT NULL REFERENCES file(id),
    recordtype TEXT NOT NULL,
    record INTEGER NOT NULL,
    attached TEXT NOT NULL,
    PRIMARY KEY (recordtype, record, file)
);
"""
