"""SuiteQL: NetSuite's Oracle-flavoured SQL, translated to SQLite with sqlglot and run on the account store.

A query is tokenized and parsed as Oracle SQL (``read="oracle"``), then checked node by node against a whitelist:
one SELECT (set operations and subqueries allowed), NetSuite's functions, no comments, no DML or DDL, no
SQLite-only functions, bounded size and nesting. Every table must be one NetSuite exposes *and* one the role may
see (a table it may not see is an unknown search type, as in NetSuite); every column must exist. The checked tree
is rendered for SQLite with every identifier quoted; values travel as bound ``?`` parameters, never as text.

What is not here: ``BUILTIN.DF`` and other BUILTIN functions, analytic (window) functions, date arithmetic
(``ADD_MONTHS``, ``TRUNC(date)``), Oracle's ``(+)`` outer joins and ``WITH``: they answer INVALID_PARAMETER.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.errors import ErrorLevel, SqlglotError
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.time import format_time

from netsuite_emulator.store import SHARED_LISTS

# Date columns (no time part). NetSuite answers dates in the user's date format: M/D/YYYY, the US default that
# the recorded answers show ("trandate": "5/11/2020"). Stored as ISO text, they are reformatted on the way out.

DATE_COLUMNS = frozenset({"startdate", "enddate", "closedondate", "trandate", "duedate", "reversaldate"})
# Date-time columns, stored in UTC. SuiteQL works on them in the user's time zone (Set Preferences > Time Zone):
# compared, ordered and formatted by TO_CHAR as local times, and shown as a plain column with the date alone, in
# the user's date format ("lastmodifieddate": "10/3/2026"): the time needs TO_CHAR(col, 'YYYY-MM-DD
# HH24:MI:SS'), as public SuiteQL does for DeletedDate (timdietrich.me, "Query Deleted Records": TO_CHAR(
# DeletedDate, 'DS TS')). Airbyte's NetSuite source lost records by keeping such a date as its cursor
# (airbytehq/airbyte#79653). The user's time zone, not UTC, is a guess from the forms' behaviour.
DATETIME_COLUMNS = frozenset({"lastmodifieddate", "createddate", "datecreated", "deleteddate"})

MAX_QUERY_CHARS = 100_000  # NetSuite's limit is not documented; the emulator's bound
MAX_NESTING = 32  # parentheses deep
MAX_NODES = 20_000
MAX_PARAMS = 1_000
MAX_STEPS = (
    50_000_000  # SQLite VM steps per statement: a runaway join is stopped, not left to block the account
)

_PREAMBLE = "Invalid search query. Detailed unprocessed description follows. Search error occurred: "
# Oracle's dual, as NetSuite's SuiteQL offers it.
_DUAL_SQL = "SELECT 'X' AS dummy"

_ORACLE = Oracle()
_SQLITE_DIALECT = sqlglot.Dialect.get_or_raise("sqlite")


class SuiteQLError(Exception):
    """A query NetSuite would refuse: 400 INVALID_PARAMETER with ``detail``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def unsupported() -> SuiteQLError:
    # NetSuite's answer to a query it cannot run (a syntax error, an unsupported construct), as observed in
    # public SuiteQL tooling; the emulator gives it for everything it refuses without a more precise message.
    return SuiteQLError(_PREAMBLE + "Invalid or unsupported search.")


def invalid_search_type(name: str) -> SuiteQLError:
    return SuiteQLError(_PREAMBLE + f"Invalid search type: {name}.")


def unknown_identifier(name: str, available: Mapping[str, str]) -> SuiteQLError:
    shown = ", ".join(f"{alias}={table}" for alias, table in sorted(available.items()))
    return SuiteQLError(_PREAMBLE + f"Unknown identifier '{name}'. Available identifiers are: {{{shown}}}.")


# -- the whitelist -----------------------------------------------------------------------------------------------

_STRUCTURE: tuple[type[exp.Expr], ...] = (
    exp.Select,
    exp.Union,
    exp.Except,
    exp.Intersect,
    exp.Subquery,
    exp.From,
    exp.Join,
    exp.Where,
    exp.Group,
    exp.Having,
    exp.Order,
    exp.Ordered,
    exp.Fetch,
    exp.Offset,
    exp.Limit,
    exp.LimitOptions,
    exp.Distinct,
    exp.Alias,
    exp.TableAlias,
    exp.Table,
    exp.Column,
    exp.Identifier,
    exp.Star,
    exp.Literal,
    exp.Null,
    exp.Boolean,
    exp.Placeholder,
    exp.Paren,
    exp.Tuple,
    exp.DataType,
    exp.DataTypeParam,
)
_OPERATORS: tuple[type[exp.Expr], ...] = (
    exp.And,
    exp.Or,
    exp.Not,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.Escape,
    exp.Exists,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.Neg,
    exp.DPipe,
    exp.Case,
    exp.If,
    exp.Cast,
)
# Functions NetSuite's SuiteQL supports (Oracle's) that SQLite can evaluate, directly or through the emulator's
# own SQL functions registered on the store.
_FUNCTIONS: tuple[type[exp.Expr], ...] = (
    exp.Count,
    exp.Sum,
    exp.Min,
    exp.Max,
    exp.Avg,
    exp.Upper,
    exp.Lower,
    exp.Coalesce,  # NVL too
    exp.Nvl2,
    exp.Nullif,
    exp.DecodeCase,
    exp.Substring,
    exp.Length,
    exp.Trim,
    exp.StrPosition,  # INSTR
    exp.Replace,
    exp.Concat,
    exp.Round,
    exp.Abs,
    exp.Floor,
    exp.Ceil,
    exp.Sign,
    exp.Pow,
    exp.Sqrt,
    exp.ToChar,
    exp.TimeToStr,  # TO_CHAR of SYSDATE (the parser knows it is a date-time)
    exp.ToNumber,
    exp.StrToDate,  # TO_DATE
    exp.StrToTime,  # TO_TIMESTAMP
    exp.DateStrToDate,  # DATE '2026-01-31'
    exp.CurrentDate,
    exp.CurrentTimestamp,  # SYSDATE
    exp.GroupConcat,  # LISTAGG
)
_ALLOWED = frozenset(_STRUCTURE + _OPERATORS + _FUNCTIONS)
_CAST_TYPES = frozenset(
    {
        exp.DataType.Type.VARCHAR,
        exp.DataType.Type.NVARCHAR,
        exp.DataType.Type.CHAR,
        exp.DataType.Type.NCHAR,
        exp.DataType.Type.TEXT,
        exp.DataType.Type.INT,
        exp.DataType.Type.BIGINT,
        exp.DataType.Type.DECIMAL,
        exp.DataType.Type.DOUBLE,
        exp.DataType.Type.FLOAT,
        exp.DataType.Type.DATE,
    }
)


# -- what a role sees ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubsidiaryScope:
    """Rows a subsidiary-restricted role sees: its own subsidiaries', and those shared down from an ancestor."""

    accessible: frozenset[int]
    ancestors: frozenset[int]


@dataclass(frozen=True)
class Visibility:
    tables: frozenset[str]
    subsidiaries: SubsidiaryScope | None  # None: every row


@dataclass(frozen=True)
class Catalog:
    version: int
    columns: Mapping[str, tuple[str, ...]]  # exposed table → its columns


@dataclass(frozen=True)
class Compiled:
    sql: str
    count_sql: str
    page_sql: str
    parameters: int
    date_outputs: frozenset[str]


# -- translation ---------------------------------------------------------------------------------------------


def compile_suiteql(query: str, catalog: Catalog, visibility: Visibility) -> Compiled:
    """Check a SuiteQL query and translate it to SQLite, or raise SuiteQLError."""
    if len(query) > MAX_QUERY_CHARS:
        raise unsupported()
    tree = _parse(query)
    _check_nodes(tree)
    _normalize_identifiers(tree)
    _apply_rownum(tree)
    _name_expressions(tree)
    date_outputs = _resolve(tree, catalog, visibility)
    _refuse_multiselect_filters(tree, catalog)
    _restrict_rows(tree, catalog, visibility)
    _localize_datetimes(tree)
    _translate_functions(tree)
    parameters = sum(1 for _ in tree.find_all(exp.Placeholder))
    own_limit = any(tree.args.get(k) for k in ("limit", "offset", "fetch"))
    counted = tree.copy()
    if not own_limit:
        counted.set("order", None)  # the count needs no sort (SQLite would do it: Oracle's NULLS LAST)
    sql, unordered = _render(tree, parameters), _render(counted, parameters)
    page_sql = f"SELECT * FROM ({sql}) LIMIT ? OFFSET ?" if own_limit else f"{sql} LIMIT ? OFFSET ?"  # noqa: S608 -- rendered from a checked tree
    count_sql = f"SELECT COUNT(*) FROM ({unordered})"  # noqa: S608 -- rendered from a checked tree
    return Compiled(sql, count_sql, page_sql, parameters, date_outputs)


def _render(tree: exp.Expr, parameters: int) -> str:
    try:
        sql = tree.sql(dialect="sqlite", identify=True, comments=False, unsupported_level=ErrorLevel.RAISE)
    except (SqlglotError, RecursionError):
        raise unsupported() from None
    # A rewrite that repeats an argument (e.g. a CASE from DECODE) would repeat its parameter too.
    if sum(1 for t in _SQLITE_DIALECT.tokenize(sql) if t.token_type == TokenType.PLACEHOLDER) != parameters:
        raise unsupported()
    return sql


def _parse(query: str) -> exp.Query:
    try:
        tokens = _ORACLE.tokenize(query)
    except (SqlglotError, RecursionError):
        raise unsupported() from None
    depth = deepest = 0
    for token in tokens:
        # Comments could hide text from a reader of the query; NetSuite's acceptance of them is not documented,
        # so the emulator refuses them (a guess), along with a second statement after a semicolon.
        if token.comments or token.token_type in (TokenType.SEMICOLON, TokenType.HINT):
            raise unsupported()
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            deepest = max(deepest, depth)
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
    if deepest > MAX_NESTING or not tokens:
        raise unsupported()
    try:
        statements = _ORACLE.parser(error_level=ErrorLevel.RAISE).parse(tokens, query)
    except (SqlglotError, RecursionError):
        raise unsupported() from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Select | exp.SetOperation):
        raise unsupported()
    return statements[0]


def _check_nodes(tree: exp.Expr) -> None:
    for count, node in enumerate(tree.walk(), start=1):
        if count > MAX_NODES or type(node) not in _ALLOWED:
            raise unsupported()
        if isinstance(node, exp.Placeholder) and node.this:  # :name binds: only positional ? are documented
            raise unsupported()
        if isinstance(node, exp.DataType) and node.this not in _CAST_TYPES:
            raise unsupported()
        if isinstance(node, exp.Table) and (node.args.get("db") or node.args.get("catalog")):
            raise invalid_search_type(node.sql(dialect="oracle").lower())
        if isinstance(node, exp.Select) and (node.args.get("with_") or node.args.get("with")):
            raise unsupported()
    if sum(1 for _ in tree.find_all(exp.Placeholder)) > MAX_PARAMS:
        raise unsupported()


def _normalize_identifiers(tree: exp.Expr) -> None:
    """SuiteQL names are case-insensitive and NetSuite's are lower case."""
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("this", identifier.name.lower())
        identifier.set("quoted", False)


def _apply_rownum(tree: exp.Expr) -> None:
    """``WHERE ROWNUM <= n`` (a top-level condition) becomes a LIMIT; ROWNUM anywhere else is refused."""
    for select in list(tree.find_all(exp.Select)):
        where = select.args.get("where")
        if where is None:
            continue
        conditions = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        kept: list[exp.Expr] = []
        for condition in conditions:
            limit = _rownum_limit(condition)
            if limit is None:
                kept.append(condition)
                continue
            current = select.args.get("limit")
            if current is not None or select.args.get("fetch") is not None:
                raise unsupported()
            select.set("limit", exp.Limit(expression=exp.Literal.number(limit)))
        if len(kept) != len(conditions):
            select.set("where", exp.Where(this=exp.and_(*kept)) if kept else None)
    if any(c.name == "rownum" and not c.table for c in tree.find_all(exp.Column)):
        raise unsupported()


def _rownum_limit(condition: exp.Expr) -> int | None:
    def is_rownum(node: exp.Expr) -> bool:
        return isinstance(node, exp.Column) and node.name == "rownum" and not node.table

    def number(node: exp.Expr) -> int | None:
        if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
            return int(node.this)
        return None

    if isinstance(condition, exp.LTE | exp.LT | exp.EQ) and is_rownum(condition.this):
        value = number(condition.expression)
    elif isinstance(condition, exp.GTE | exp.GT) and is_rownum(condition.expression):
        value = number(condition.this)
        condition = (
            exp.LT(this=condition.expression, expression=condition.this)
            if isinstance(condition, exp.GT)
            else exp.LTE(this=condition.expression, expression=condition.this)
        )
    else:
        return None
    if value is None:
        return None
    if isinstance(condition, exp.LT):
        return max(value - 1, 0)
    if isinstance(condition, exp.EQ):
        return 1 if value == 1 else 0
    return value


def _name_expressions(tree: exp.Expr) -> None:
    """A selected expression without an alias is named ``expr1``, ``expr2``…, as NetSuite names them (a guess
    from public SuiteQL answers)."""
    for select in tree.find_all(exp.Select):
        number = 0
        for position, projection in enumerate(list(select.expressions)):
            if isinstance(projection, exp.Alias | exp.Column | exp.Star):
                continue
            number += 1
            select.expressions[position] = exp.alias_(projection.copy(), f"expr{number}")
        select.set("expressions", select.expressions)


def _resolve(tree: exp.Expr, catalog: Catalog, visibility: Visibility) -> frozenset[str]:
    """Check every table and column; return the output names that are plain date columns."""
    try:
        scopes = traverse_scope(tree)
    except (SqlglotError, RecursionError):
        raise unsupported() from None
    for scope in scopes:
        for source in scope.sources.values():
            if isinstance(source, exp.Table):
                _check_table(source.name, catalog, visibility)
        for column in scope.columns:
            _check_column(scope, column, catalog)
    root = scopes[-1]
    return frozenset(name for name, is_date in _plain_outputs(root, catalog).items() if is_date)


def _check_table(name: str, catalog: Catalog, visibility: Visibility) -> None:
    if name == "dual":
        return
    if name not in catalog.columns or name not in visibility.tables:
        raise invalid_search_type(name)


def _source_columns(source: exp.Table | Scope, catalog: Catalog) -> set[str]:
    if isinstance(source, exp.Table):
        return {"dummy"} if source.name == "dual" else set(catalog.columns.get(source.name, ()))
    return set(_plain_outputs(source, catalog))


def _plain_outputs(scope: Scope, catalog: Catalog) -> dict[str, bool]:
    """Output names of a scope → whether the output is a plain date column (through stars and subqueries)."""
    expression = scope.expression
    if isinstance(expression, exp.SetOperation):
        return _plain_outputs(scope.set_operation_scopes[0], catalog) if scope.set_operation_scopes else {}
    outputs: dict[str, bool] = {}
    for projection in expression.expressions:
        if isinstance(projection, exp.Star):
            for source in scope.sources.values():
                outputs.update(_columns_of(source, catalog))
        elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
            starred = scope.sources.get(projection.table)
            if starred is None:
                raise unknown_identifier(projection.table, _available(scope))
            outputs.update(_columns_of(starred, catalog))
        elif isinstance(projection, exp.Column):
            outputs[projection.name] = _is_date_reference(scope, projection, catalog)
        else:
            outputs[projection.alias_or_name] = isinstance(projection.unalias(), exp.Column) and (
                _is_date_reference(scope, projection.unalias(), catalog)
            )
    return outputs


def _columns_of(source: exp.Table | Scope, catalog: Catalog) -> dict[str, bool]:
    if isinstance(source, exp.Table):
        return {
            name: name in DATE_COLUMNS or name in DATETIME_COLUMNS
            for name in _source_columns(source, catalog)
        }
    return _plain_outputs(source, catalog)


def _is_date_reference(scope: Scope, column: exp.Expr, catalog: Catalog) -> bool:
    if not isinstance(column, exp.Column):
        return False
    candidates = (
        [scope.sources[column.table]] if column.table in scope.sources else list(scope.sources.values())
    )
    for source in candidates:
        columns = _columns_of(source, catalog)
        if column.name in columns:
            return columns[column.name]
    return False


def _available(scope: Scope) -> dict[str, str]:
    shown: dict[str, str] = {}
    for alias, source in scope.sources.items():
        if isinstance(source, exp.Table):
            shown[alias] = source.name
        elif alias:
            shown[alias] = alias
    return shown


def _check_column(scope: Scope, column: exp.Column, catalog: Catalog) -> None:
    if isinstance(column.this, exp.Star):
        return
    current: Scope | None = scope
    while current is not None:
        if column.table:
            source = current.sources.get(column.table)
            if source is not None:
                if column.name in _source_columns(source, catalog):
                    return
                raise unknown_identifier(f"{column.table}.{column.name}", _available(scope))
        else:
            matches = [s for s in current.sources.values() if column.name in _source_columns(s, catalog)]
            if len(matches) == 1:
                return
            if len(matches) > 1:
                raise unsupported()  # ambiguous; NetSuite's wording is unknown
        # Correlated subqueries see the enclosing query's tables; derived tables in FROM do not.
        current = current.parent if (current.is_subquery or current.is_set_operation) else None
    raise unknown_identifier(column.sql(dialect="oracle").lower(), _available(scope))


def _refuse_multiselect_filters(tree: exp.Expr, catalog: Catalog) -> None:
    """A shared list's ``subsidiary`` is a multi-select, read as one comma-delimited string ('1, 3, 5'): a
    condition on it (``WHERE subsidiary = 5``) fails with "Search error occurred: Invalid or unsupported search",
    and the mapping table (AccountSubsidiaryMap and its kin) is the way to filter
    (timdietrich.me/blog/netsuite-suiteql-accounts-by-subsidiary, third party). The source shows ``=``; the
    emulator refuses every condition on the column (WHERE, JOIN … ON, HAVING), a guess for the others."""
    conditions = (exp.Where, exp.Having, exp.Join)
    for scope in traverse_scope(tree):
        for column in scope.columns:
            if column.name != "subsidiary" or not isinstance(
                column.find_ancestor(*conditions, exp.Select), conditions
            ):
                continue
            if column.table:
                sources = [scope.sources.get(column.table)]
            else:
                sources = [s for s in scope.sources.values() if "subsidiary" in _source_columns(s, catalog)]
            if any(isinstance(s, exp.Table) and s.name in SHARED_LISTS for s in sources):
                raise unsupported()


def _restrict_rows(tree: exp.Expr, catalog: Catalog, visibility: Visibility) -> None:
    """Each table read becomes a subquery without the rows of other subsidiaries, for a restricted role."""
    scope = visibility.subsidiaries
    for table in list(tree.find_all(exp.Table)):
        if table.name == "dual":
            table.replace(_derived(_DUAL_SQL, table.alias_or_name))
            continue
        if scope is None:
            continue
        condition = _subsidiary_condition(table.name, catalog.columns.get(table.name, ()), scope)
        if condition is None:
            continue
        inner = f'SELECT * FROM "{table.name}" t WHERE {condition}'  # noqa: S608 -- names from the catalog, ids are ints
        table.replace(_derived(inner, table.alias_or_name))


def _derived(sql: str, alias: str) -> exp.Subquery:
    return exp.Subquery(
        this=sqlglot.parse_one(sql, read="sqlite"), alias=exp.TableAlias(this=exp.to_identifier(alias))
    )


def _subsidiary_condition(table: str, columns: Sequence[str], scope: SubsidiaryScope) -> str | None:
    def ids(values: Iterable[int]) -> str:
        return ", ".join(str(int(v)) for v in sorted(values)) or "NULL"

    if table == "subsidiary":
        return f'"id" IN ({ids(scope.accessible)})'
    if "subsidiary" not in columns:
        return None
    map_table = SHARED_LISTS.get(table)
    if map_table is not None:
        # A shared list: visible when one of its subsidiaries is the role's, or with Include Children an
        # ancestor of one.
        shared = f'm."subsidiary" IN ({ids(scope.accessible)})'
        if scope.ancestors:
            shared += f' OR (t."includechildren" = \'T\' AND m."subsidiary" IN ({ids(scope.ancestors)}))'
        return (
            f'"subsidiary" IS NULL OR EXISTS (SELECT 1 FROM "{map_table}" m '  # noqa: S608 -- catalog names, int ids
            f'WHERE m."{table}" = t."id" AND ({shared}))'
        )
    condition = f'"subsidiary" IS NULL OR "subsidiary" IN ({ids(scope.accessible)})'
    if "includechildren" in columns and scope.ancestors:
        condition += f' OR ("includechildren" = \'T\' AND "subsidiary" IN ({ids(scope.ancestors)}))'
    return condition


def _localize_datetimes(tree: exp.Expr) -> None:
    """Every date-time column is read through ``ns_local``: the user's local time, as SuiteQL compares, orders
    and formats it (a plain selected column keeps its name)."""

    def transform(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Column) or isinstance(node.this, exp.Star):
            return node
        if node.name not in DATETIME_COLUMNS:
            return node
        local = exp.Anonymous(this="ns_local", expressions=[node.copy()])
        parent = node.parent
        if isinstance(parent, exp.Select) and node.arg_key == "expressions":
            return exp.alias_(local, node.name)
        return local

    transformed = tree.transform(transform, copy=False)
    if transformed is not tree:
        raise unsupported()


def _translate_functions(tree: exp.Expr) -> None:
    """Oracle functions SQLite lacks become the emulator's SQL functions (registered by SuiteQLService)."""

    def transform(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.ToChar):
            fmt = node.args.get("format")
            if fmt is None:
                return exp.Anonymous(this="ns_to_char", expressions=[node.this])
            if not isinstance(fmt, exp.Literal) or not fmt.is_string:
                raise unsupported()
            pattern = format_time(fmt.this, Oracle.TIME_MAPPING, Oracle.TIME_TRIE) or ""
            return exp.Anonymous(this="ns_to_char", expressions=[node.this, exp.Literal.string(pattern)])
        if isinstance(node, exp.TimeToStr):  # the format is strftime's already
            fmt = node.args.get("format")
            if not isinstance(fmt, exp.Literal) or not fmt.is_string:
                raise unsupported()
            inner = node.this.transform(transform, copy=False)  # the replaced node's children are not visited
            return exp.Anonymous(this="ns_to_char", expressions=[inner, fmt])
        if isinstance(node, exp.StrToDate | exp.StrToTime):  # the parser already made the format strftime's
            args = [node.this]
            if node.args.get("format") is not None:
                args.append(node.args["format"])
            name = "ns_to_timestamp" if isinstance(node, exp.StrToTime) else "ns_to_date"
            return exp.Anonymous(this=name, expressions=args)
        if isinstance(node, exp.ToNumber):
            return exp.Anonymous(this="ns_to_number", expressions=[node.this])
        if isinstance(node, exp.CurrentDate):
            return exp.Anonymous(this="ns_sysdate", expressions=[])
        if isinstance(node, exp.CurrentTimestamp):
            return exp.Anonymous(this="ns_systimestamp", expressions=[])
        return node

    transformed = tree.transform(transform, copy=False)
    if transformed is not tree:  # the root itself is never a function
        raise unsupported()


# -- SQL functions the translation relies on -------------------------------------------------------------------
