"""The account's SQLite schema.

Tables that NetSuite exposes to SuiteQL carry NetSuite's table and column names (lower case, booleans as
``'T'``/``'F'``) so that SuiteQL (part 2) and the record service (part 3) can read them as they are. Tables that
exist only inside NetSuite's setup pages (integration records, tokens, certificates, nonces) are the emulator's
own and are never exposed.
"""

from __future__ import annotations

from collections.abc import Iterable

SCHEMA_VERSION = 5  # 2: entities and transactions (part 3); 3: approvals and period preferences;
# 4: lists shared by several subsidiaries; 5: the File Cabinet (an account file at 4 is upgraded when opened)

# Seeded in this order, so a row's references exist before it does.
SEEDED_TABLES: tuple[str, ...] = (
    "feature",
    "currency",
    "subsidiary",
    "role",
    "rolepermissions",
    "rolesubsidiaries",
    "employee",
    "employeerolesforsearch",
    "integration",
    "accesstoken",
    "oauth2certificate",
    "account",
    "classification",
    "department",
    "location",
    "term",
    "paymentmethod",
    "expensecategory",
    "item",
    "customfield",
    "customer",
    "vendor",
    "customersubsidiaryrelationship",
    "vendorsubsidiaryrelationship",
)

# Lists a OneWorld account shares between subsidiaries: table → its mapping table (whose record column is named
# after the table). On the record, ``subsidiary`` is a multi-select: the REST record API shows it as a collection
# of references (Oracle, "Format of Multiselects", ORA/section_1545142093.html, whose example is this very field
# on the account record), SuiteQL as one comma-delimited string such as '1, 3, 5', and a SuiteQL filter on it
# fails with "Invalid or unsupported search"; the mapping table AccountSubsidiaryMap (account, subsidiary) is
# how to join (timdietrich.me/blog/netsuite-suiteql-accounts-by-subsidiary, third party). ItemSubsidiaryMap,
# ClassificationSubsidiaryMap, DepartmentSubsidiaryMap and LocationSubsidiaryMap are named only by third-party
# code (SuiteQL queries and warehouse loaders), not by Oracle: the emulator models them alike, a guess. The
# store keeps both forms, written together (``subsidiary_text``); a map row lists a subsidiary selected on the
# record, never one reached through ``includechildren`` (a guess: Oracle does not say).
SHARED_LISTS: dict[str, str] = {
    "account": "accountsubsidiarymap",
    "item": "itemsubsidiarymap",
    "classification": "classificationsubsidiarymap",
    "department": "departmentsubsidiarymap",
    "location": "locationsubsidiarymap",
}


def subsidiary_text(ids: Iterable[int]) -> str | None:
    """The multi-select as SuiteQL shows it: ids ascending, comma and space between; None when empty."""
    return ", ".join(str(i) for i in sorted(set(ids))) or None


def subsidiary_ids(text: object) -> frozenset[int]:
    """The ids of a stored multi-select (an int from an older row reads as one id)."""
    if text is None or text == "":
        return frozenset()
    return frozenset(int(part) for part in str(text).split(",") if part.strip())


# External ids: "The external ID attribute is case-insensitive" (ORA/section_N3432681.html): every externalid column
# compares, and is unique, without regard to case (COLLATE NOCASE), while keeping the id as written. Entities share
# one id space across customer, vendor and employee ("unique across a record group", ORA/section_N3436356.html);
# the record service checks that group, the schema each table.

# The records an exporter writes (part 3). Customers, vendors and employees share NetSuite's entity id space;
# every transaction type lives in ``transaction`` (``type`` holds SuiteQL's code, ``recordtype`` the REST
# record id in lower case) with its lines in ``transactionline`` (line 0 is the main line, ``mainline = 'T'``,
# carrying the body's account, class, department and location). Line amounts carry the GL sign as SuiteQL
# shows it: debits positive, credits negative (an invoice's item lines are negative, its main line positive).
# ``transaction`` is an SQLite keyword: SQL must quote it (``"transaction"``) as a table and as a column.
# Applications (payments, credits, deposit applications) are links in ``previoustransactionlinelink``:
# ``previousdoc`` is the document paid or credited, ``nextdoc`` the one that applies to it.
ENTITY_AND_TRANSACTION_SQL = """
CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    entityid TEXT NOT NULL,
    companyname TEXT,
    isperson TEXT NOT NULL DEFAULT 'F',
    firstname TEXT,
    lastname TEXT,
    email TEXT,
    phone TEXT,
    comments TEXT,
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),   -- the primary subsidiary
    currency INTEGER REFERENCES currency(id),
    terms INTEGER REFERENCES term(id),
    receivablesaccount INTEGER REFERENCES account(id),
    creditlimit REAL,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE,
    datecreated TEXT,
    lastmodifieddate TEXT
);
CREATE TABLE vendor (
    id INTEGER PRIMARY KEY,
    entityid TEXT NOT NULL,
    companyname TEXT,
    isperson TEXT NOT NULL DEFAULT 'F',
    firstname TEXT,
    lastname TEXT,
    email TEXT,
    phone TEXT,
    comments TEXT,
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),   -- the primary subsidiary
    currency INTEGER REFERENCES currency(id),
    terms INTEGER REFERENCES term(id),
    payablesaccount INTEGER REFERENCES account(id),
    printoncheckas TEXT,
    is1099eligible TEXT NOT NULL DEFAULT 'F',
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE,
    datecreated TEXT,
    lastmodifieddate TEXT
);
CREATE TABLE customersubsidiaryrelationship (
    id INTEGER PRIMARY KEY,
    entity INTEGER NOT NULL REFERENCES customer(id),
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),
    isprimarysub TEXT NOT NULL DEFAULT 'F',
    primarycurrency INTEGER REFERENCES currency(id),
    externalid TEXT COLLATE NOCASE UNIQUE,
    UNIQUE (entity, subsidiary)
);
CREATE TABLE vendorsubsidiaryrelationship (
    id INTEGER PRIMARY KEY,
    entity INTEGER NOT NULL REFERENCES vendor(id),
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),
    isprimarysub TEXT NOT NULL DEFAULT 'F',
    primarycurrency INTEGER REFERENCES currency(id),
    creditlimit REAL,
    externalid TEXT COLLATE NOCASE UNIQUE,
    UNIQUE (entity, subsidiary)
);
-- addressBook lines of customers and vendors (NetSuite keeps the address itself in a joined record).
CREATE TABLE entityaddressbook (
    entity INTEGER NOT NULL,
    id INTEGER NOT NULL,
    defaultbilling TEXT NOT NULL DEFAULT 'F',
    defaultshipping TEXT NOT NULL DEFAULT 'F',
    label TEXT,
    addressee TEXT,
    addr1 TEXT,
    addr2 TEXT,
    city TEXT,
    state TEXT,
    zip TEXT,
    country TEXT,
    PRIMARY KEY (entity, id)
);
CREATE TABLE "transaction" (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,                  -- 'CustInvc', 'VendBill', 'CustPymt', 'VendPymt', 'VendCred',
                                         -- 'CustCred', 'CustDep', 'DepAppl', 'Journal'
    recordtype TEXT NOT NULL,            -- 'invoice', 'vendorbill', ...
    tranid TEXT,
    trandate TEXT NOT NULL,
    duedate TEXT,
    entity INTEGER,
    subsidiary INTEGER REFERENCES subsidiary(id),
    currency INTEGER REFERENCES currency(id),
    exchangerate REAL NOT NULL DEFAULT 1,
    postingperiod INTEGER REFERENCES accountingperiod(id),
    status TEXT,                         -- SuiteQL's status letter ('A' Open, 'B' Paid In Full, ...)
    memo TEXT,
    otherrefnum TEXT,
    terms INTEGER REFERENCES term(id),
    paymentmethod INTEGER REFERENCES paymentmethod(id),  -- paymentMethod, or paymentOption (Payment Instruments)
    undepfunds TEXT,
    approvalstatus INTEGER,              -- with approval routing: 1 Pending Approval, 2 Approved, 3 Rejected
    createdfrom INTEGER REFERENCES "transaction"(id),
    reversaldate TEXT,
    foreigntotal REAL NOT NULL DEFAULT 0,
    foreignamountpaid REAL,              -- invoices and bills: paid or credited so far
    foreignamountunpaid REAL,            -- invoices and bills: the amount remaining
    foreignpaymentamountused REAL,       -- payments, credits, deposits: applied so far
    foreignpaymentamountunused REAL,     -- payments, credits, deposits: not yet applied
    posting TEXT NOT NULL DEFAULT 'T',
    voided TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE,
    createddate TEXT NOT NULL,
    lastmodifieddate TEXT NOT NULL,
    UNIQUE (recordtype, externalid)      -- external ids are unique per record type (and, NOCASE, without case)
);
CREATE INDEX transaction_entity ON "transaction" (entity);
CREATE TABLE transactionline (
    "transaction" INTEGER NOT NULL REFERENCES "transaction"(id),
    id INTEGER NOT NULL,                 -- 0 is the main line
    linesequencenumber INTEGER NOT NULL,
    mainline TEXT NOT NULL DEFAULT 'F',
    item INTEGER REFERENCES item(id),
    account INTEGER REFERENCES account(id),
    category INTEGER REFERENCES expensecategory(id),
    quantity REAL,
    rate REAL,
    foreignamount REAL NOT NULL DEFAULT 0,
    debitforeignamount REAL,
    creditforeignamount REAL,
    memo TEXT,
    class INTEGER REFERENCES classification(id),
    department INTEGER REFERENCES department(id),
    location INTEGER REFERENCES location(id),
    subsidiary INTEGER REFERENCES subsidiary(id),
    entity INTEGER,
    PRIMARY KEY ("transaction", id)
);
CREATE TABLE previoustransactionlinelink (
    previousdoc INTEGER NOT NULL REFERENCES "transaction"(id),
    previousline INTEGER NOT NULL DEFAULT 0,
    previoustype TEXT NOT NULL,
    nextdoc INTEGER NOT NULL REFERENCES "transaction"(id),
    nextline INTEGER NOT NULL DEFAULT 0,
    nexttype TEXT NOT NULL,
    linktype TEXT NOT NULL,              -- 'Payment', 'Credit' or 'DepAppl' (the emulator's names)
    foreignamount REAL NOT NULL,
    PRIMARY KEY (previousdoc, nextdoc)
);
CREATE INDEX previoustransactionlinelink_next ON previoustransactionlinelink (nextdoc);
"""

# Read-back (who changed what, after the exporter wrote it). ``deletedrecord`` is SuiteQL's DeletedRecord table:
# one row per record deleted, with the record's internal id, its type and when (Tim Dietrich's "NetSuite SuiteQL:
# Query Deleted Records", timdietrich.me, selects DeletedDate, Type, RecordID, DeletedBy and Context; the
# SOAP getDeleted operation, ORA/article_0701101315.html, filters the same list by type and deletedDate).
# ``type`` holding the REST record type id in lower case ('invoice', 'vendorbill') is a guess, as are the
# ``context`` values. NetSuite does not list every record type there (oneworld-and-service.md §2).
# ``accounttimezone`` is the emulator's own (never exposed): the time zone of the account's users (Set
# Preferences > Time Zone), in which SuiteQL shows and reads date-times. Created with IF NOT EXISTS so that
# account files seeded before it get it when opened (``check_schema``).
READBACK_SQL = """
CREATE TABLE IF NOT EXISTS deletedrecord (
    recordid INTEGER NOT NULL,
    type TEXT NOT NULL,
    name TEXT,
    deleteddate TEXT NOT NULL,           -- UTC, as lastmodifieddate is stored
    deletedby INTEGER,
    context TEXT,                        -- 'WEBSERVICES' through the REST API, 'UI' by a person (guesses)
    iscustomrecord TEXT NOT NULL DEFAULT 'F',
    iscustomlist TEXT NOT NULL DEFAULT 'F',
    iscustomtransaction TEXT NOT NULL DEFAULT 'F'
);
CREATE INDEX IF NOT EXISTS deletedrecord_date ON deletedrecord (deleteddate);
CREATE TABLE IF NOT EXISTS accounttimezone (
    timezone TEXT NOT NULL               -- an IANA name: 'America/Los_Angeles'
);
"""

# The File Cabinet. ``mediaitemfolder`` and ``file`` carry the names SuiteQL gives them (NetSuite's SuiteQL exposes
# folders as ``MediaItemFolder`` and files as ``File``, with ``folder`` on a file and ``parent`` on a folder:
# third-party SuiteQL examples, e.g. timdietrich.me "NetSuite SuiteQL File Cabinet" queries; the column set here
# is the part an exporter reads). The bytes and the attachments are the emulator's own tables, never exposed:
# SuiteQL shows no file content, and the table NetSuite keeps attachments in is not documented for SuiteQL.
# IF NOT EXISTS, so that ``check_schema`` can add them to an account file of schema version 4.
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


SCHEMA_SQL = (
    """
CREATE TABLE company (
    accountid TEXT PRIMARY KEY,          -- '1234567' or '1234567_SB1'
    companyname TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('production', 'sandbox', 'releasepreview')),
    oneworld TEXT NOT NULL CHECK (oneworld IN ('T', 'F')),
    basecurrency INTEGER NOT NULL,
    concurrencylimit INTEGER NOT NULL CHECK (concurrencylimit >= 1),
    clockoffset REAL NOT NULL DEFAULT 0, -- seconds the account's clock runs ahead of the host's
    scenario TEXT NOT NULL,
    dateformat TEXT NOT NULL DEFAULT 'M/D/YYYY', -- the users' Date Format preference (SuiteQL answers dates in it)
    -- Accounting Preferences the API cannot read (Setup > Accounting > Accounting Preferences):
    -- Approval Routing > Vendor Bills / Journal Entries: new ones wait Pending Approval and do not post.
    vendorbillapproval TEXT NOT NULL DEFAULT 'F' CHECK (vendorbillapproval IN ('T', 'F')),
    journalapproval TEXT NOT NULL DEFAULT 'F' CHECK (journalapproval IN ('T', 'F')),
    -- General > "Allow Transaction Date Outside of the Posting Period" (Disallow / Warn / Allow) and
    -- "Default Posting Period When Transaction Date in Closed Period" (First Open Period / Current Period).
    dateoutsideperiod TEXT NOT NULL DEFAULT 'DISALLOW' CHECK (dateoutsideperiod IN ('DISALLOW', 'WARN', 'ALLOW')),
    closedperioddefault TEXT NOT NULL DEFAULT 'FIRST_OPEN' CHECK (closedperioddefault IN ('FIRST_OPEN', 'CURRENT'))
);
CREATE TABLE feature (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    isenabled TEXT NOT NULL CHECK (isenabled IN ('T', 'F'))
);
CREATE TABLE currency (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    symbol TEXT NOT NULL UNIQUE,
    displaysymbol TEXT,
    isbasecurrency TEXT NOT NULL DEFAULT 'F',
    isinactive TEXT NOT NULL DEFAULT 'F',
    exchangerate REAL NOT NULL DEFAULT 1,
    currencyprecision INTEGER NOT NULL DEFAULT 2,
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE subsidiary (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    legalname TEXT,
    parent INTEGER REFERENCES subsidiary(id),
    currency INTEGER NOT NULL REFERENCES currency(id),
    country TEXT NOT NULL,
    iselimination TEXT NOT NULL DEFAULT 'F',
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE role (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    scriptid TEXT NOT NULL UNIQUE,
    isinactive TEXT NOT NULL DEFAULT 'F',
    iswebserviceonlyrole TEXT NOT NULL DEFAULT 'F',
    subsidiaryoption TEXT NOT NULL DEFAULT 'ALL'
        CHECK (subsidiaryoption IN ('ALL', 'ALLACTIVE', 'OWN', 'SELECTED')),
    subsidiaryviewingallowed TEXT NOT NULL DEFAULT 'F'
);
CREATE TABLE rolepermissions (
    role INTEGER NOT NULL REFERENCES role(id),
    permkey TEXT NOT NULL,
    name TEXT NOT NULL,
    permlevel INTEGER NOT NULL CHECK (permlevel BETWEEN 0 AND 4),
    restriction INTEGER NOT NULL DEFAULT -1,
    PRIMARY KEY (role, permkey)
);
-- The subsidiaries of a role whose subsidiaryoption is SELECTED (SuiteQL's multi-select subsidiaryrestriction).
CREATE TABLE rolesubsidiaries (
    role INTEGER NOT NULL REFERENCES role(id),
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),
    PRIMARY KEY (role, subsidiary)
);
CREATE TABLE employee (
    id INTEGER PRIMARY KEY,
    entityid TEXT NOT NULL,
    firstname TEXT,
    lastname TEXT,
    email TEXT NOT NULL UNIQUE,
    subsidiary INTEGER REFERENCES subsidiary(id),
    giveaccess TEXT NOT NULL DEFAULT 'T',
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE employeerolesforsearch (
    entity INTEGER NOT NULL REFERENCES employee(id),
    role INTEGER NOT NULL REFERENCES role(id),
    PRIMARY KEY (entity, role)
);
CREATE TABLE integration (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    consumerkey TEXT NOT NULL UNIQUE,
    consumersecret TEXT NOT NULL,
    clientid TEXT NOT NULL UNIQUE,       -- OAuth 2.0 client id; the same value as the consumer key in NetSuite
    tokenbasedauth TEXT NOT NULL DEFAULT 'T',
    clientcredentials TEXT NOT NULL DEFAULT 'T',
    scopes TEXT NOT NULL DEFAULT 'rest_webservices,restlets',
    state TEXT NOT NULL DEFAULT 'ENABLED' CHECK (state IN ('ENABLED', 'BLOCKED')),
    concurrencylimit INTEGER             -- an allocation out of the account limit, or NULL
);
CREATE TABLE accesstoken (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    handle TEXT UNIQUE,                  -- 'integration' / 'admin': whose credentials env() hands out
    tokenid TEXT NOT NULL UNIQUE,
    tokensecret TEXT NOT NULL,
    integration INTEGER NOT NULL REFERENCES integration(id),
    entity INTEGER NOT NULL REFERENCES employee(id),
    role INTEGER NOT NULL REFERENCES role(id),
    isrevoked TEXT NOT NULL DEFAULT 'F'
);
CREATE TABLE oauth2certificate (
    certificateid TEXT PRIMARY KEY,
    handle TEXT UNIQUE,
    keylabel TEXT NOT NULL,              -- seeds the deterministic test key pair
    integration INTEGER NOT NULL REFERENCES integration(id),
    entity INTEGER NOT NULL REFERENCES employee(id),
    role INTEGER NOT NULL REFERENCES role(id),
    certificatepem TEXT NOT NULL DEFAULT '',
    privatekeypem TEXT NOT NULL DEFAULT '', -- kept only so env() can hand the test key to a client
    isrevoked TEXT NOT NULL DEFAULT 'F'
);
CREATE TABLE oauth2accesstoken (
    jti TEXT PRIMARY KEY,
    certificateid TEXT NOT NULL,
    integration INTEGER NOT NULL,
    entity INTEGER NOT NULL,
    role INTEGER NOT NULL,
    scopes TEXT NOT NULL,
    issued REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE usednonce (
    entity INTEGER NOT NULL,
    nonce TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (entity, nonce, timestamp)
);
-- Every request forgets the nonces older than the timestamp window: without this index that scanned the table.
CREATE INDEX IF NOT EXISTS usednonce_timestamp ON usednonce (timestamp);
CREATE TABLE loginaudit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    date REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Success', 'Failure')),
    detail TEXT NOT NULL,
    authmethod TEXT,
    entity INTEGER,
    emailaddress TEXT,
    role INTEGER,
    rolename TEXT,
    tokenname TEXT,
    applicationname TEXT,
    requestmethod TEXT NOT NULL,
    requesturi TEXT NOT NULL
);
CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    acctnumber TEXT,
    acctname TEXT NOT NULL,
    accttype TEXT NOT NULL,
    parent INTEGER REFERENCES account(id),
    currency INTEGER REFERENCES currency(id),
    subsidiary TEXT,                     -- the multi-select as SuiteQL shows it: '1, 2' (see SHARED_LISTS)
    includechildren TEXT NOT NULL DEFAULT 'F',
    issummary TEXT NOT NULL DEFAULT 'F',
    isinactive TEXT NOT NULL DEFAULT 'F',
    description TEXT,
    sspecacct TEXT,                      -- special account: 'UndepFunds', 'AcctRec', 'AcctPay', ...
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE accountingperiod (
    id INTEGER PRIMARY KEY,
    periodname TEXT NOT NULL,
    startdate TEXT NOT NULL,
    enddate TEXT NOT NULL,
    parent INTEGER REFERENCES accountingperiod(id),
    isyear TEXT NOT NULL DEFAULT 'F',
    isquarter TEXT NOT NULL DEFAULT 'F',
    isadjust TEXT NOT NULL DEFAULT 'F',
    isposting TEXT NOT NULL DEFAULT 'T',
    isinactive TEXT NOT NULL DEFAULT 'F',
    closed TEXT NOT NULL DEFAULT 'F',
    closedondate TEXT,
    alllocked TEXT NOT NULL DEFAULT 'F',
    aplocked TEXT NOT NULL DEFAULT 'F',
    arlocked TEXT NOT NULL DEFAULT 'F',
    payrolllocked TEXT NOT NULL DEFAULT 'F',
    allownonglchanges TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE classification (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent INTEGER REFERENCES classification(id),
    subsidiary TEXT,                     -- '1, 2' (see SHARED_LISTS)
    includechildren TEXT NOT NULL DEFAULT 'F',
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE department (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent INTEGER REFERENCES department(id),
    subsidiary TEXT,                     -- '1, 2' (see SHARED_LISTS)
    includechildren TEXT NOT NULL DEFAULT 'F',
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE location (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent INTEGER REFERENCES location(id),
    subsidiary TEXT,                     -- '1, 2' (see SHARED_LISTS)
    includechildren TEXT NOT NULL DEFAULT 'F',
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE term (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    daysuntilnetdue INTEGER,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE paymentmethod (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    methodtype INTEGER,                  -- NetSuite's method type id; only 1 (Payment Card) is documented
    account INTEGER REFERENCES account(id),
    undepfunds TEXT NOT NULL DEFAULT 'T',
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE expensecategory (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    expenseacct INTEGER NOT NULL REFERENCES account(id),
    description TEXT,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
CREATE TABLE item (
    id INTEGER PRIMARY KEY,
    itemid TEXT NOT NULL UNIQUE,
    displayname TEXT,
    itemtype TEXT NOT NULL,              -- SuiteQL codes: 'Service', 'OthCharge', 'NonInvtPart', ...
    subtype TEXT NOT NULL DEFAULT 'Sale' CHECK (subtype IN ('Sale', 'Purchase', 'Resale')),
    incomeaccount INTEGER REFERENCES account(id),
    expenseaccount INTEGER REFERENCES account(id),
    subsidiary TEXT,                     -- '1, 2' (see SHARED_LISTS)
    includechildren TEXT NOT NULL DEFAULT 'F',
    description TEXT,
    isinactive TEXT NOT NULL DEFAULT 'F',
    externalid TEXT COLLATE NOCASE UNIQUE
);
-- One row per (record, subsidiary) selected on a shared list record (SHARED_LISTS).
CREATE TABLE accountsubsidiarymap (
    account INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),
    PRIMARY KEY (account, subsidiary)
);
CREATE TABLE itemsubsidiarymap (
    item INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),
    PRIMARY KEY (item, subsidiary)
);
CREATE TABLE classificationsubsidiarymap (
    classification INTEGER NOT NULL REFERENCES classification(id) ON DELETE CASCADE,
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),
    PRIMARY KEY (classification, subsidiary)
);
CREATE TABLE departmentsubsidiarymap (
    department INTEGER NOT NULL REFERENCES department(id) ON DELETE CASCADE,
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),
    PRIMARY KEY (department, subsidiary)
);
CREATE TABLE locationsubsidiarymap (
    location INTEGER NOT NULL REFERENCES location(id) ON DELETE CASCADE,
    subsidiary INTEGER NOT NULL REFERENCES subsidiary(id),
    PRIMARY KEY (location, subsidiary)
);
CREATE TABLE customfield (
    id INTEGER PRIMARY KEY,
    scriptid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    fieldtype TEXT NOT NULL,             -- 'BODY', 'COLUMN', 'ENTITY', 'ITEM'
    fieldvaluetype TEXT NOT NULL,
    isinactive TEXT NOT NULL DEFAULT 'F'
);
"""
    + ENTITY_AND_TRANSACTION_SQL
    + READBACK_SQL
    + FILES_SQL
)
