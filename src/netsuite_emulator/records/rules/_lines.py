"""A transaction's lines: item, expense and journal lines completed and checked, written as GL lines (the main
line carries the transaction's sign, the others the opposite), and read back as REST values."""

from __future__ import annotations

import sqlite3
from typing import Any

from netsuite_emulator.records._io import CENT, Ctx, invalid_value, mandatory, money, user_error
from netsuite_emulator.records._types import RecordType
from netsuite_emulator.records.rules._draft import LINES_NEEDED, Draft
from netsuite_emulator.records.rules._in_subsidiary import account_in, check_segment, entity_in_subsidiary
from netsuite_emulator.records.rules._per_type import SUBLEDGERS, TransactionRules

LINE_SUBLISTS = ("item", "expense", "line")
NOT_ON_LINES = frozenset({"AcctRec", "AcctPay", "NonPosting", "Stat"})
SALE_SUBTYPES = frozenset({"Sale", "Resale"})
PURCHASE_SUBTYPES = frozenset({"Purchase", "Resale"})


def complete_lines(
    ctx: Ctx, rules: TransactionRules, rt: RecordType, draft: Draft, subsidiary: int
) -> list[dict[str, Any]]:
    """Complete every line (accounts, amounts) and check it; the lines in write order."""
    out: list[dict[str, Any]] = []
    names = [s.name for s in rt.sublists if s.name in LINE_SUBLISTS]
    for name in names:
        for line in draft.lines.get(name, []):
            path = str(line.get("_path", name))
            if name == "item":
                out.append(_item_line(ctx, rules, line, subsidiary, path))
            elif name == "expense":
                out.append(_expense_line(ctx, line, subsidiary, path))
            else:
                out.append(_journal_line(ctx, line, subsidiary, path))
            for segment in ("class", "department", "location"):
                check_segment(ctx, segment, line.get(segment), subsidiary, f"{path}.{segment}")
    if names and not out:
        raise user_error(LINES_NEEDED, names[0])
    if rules.journal:
        debits = sum(line.get("debit") or 0.0 for line in out)
        credits = sum(line.get("credit") or 0.0 for line in out)
        if abs(debits - credits) > CENT:
            # Wording: a guess (NetSuite refuses an unbalanced journal entry).
            raise user_error(
                f"The journal entry is out of balance: debits total {debits:.2f} and credits total "
                f"{credits:.2f}.",
                "line",
            )
    return out


def _item_line(
    ctx: Ctx, rules: TransactionRules, line: dict[str, Any], subsidiary: int, path: str
) -> dict[str, Any]:
    item_id = line.get("item")
    if item_id is None:
        raise mandatory(["Item"], path + ".item")
    item = ctx.one("SELECT * FROM item WHERE id = ?", item_id)
    if item is None:
        raise invalid_value(item_id, "item", path + ".item")
    sales = rules.sales
    if item["subtype"] not in (SALE_SUBTYPES if sales else PURCHASE_SUBTYPES):
        raise invalid_value(item_id, "item", path + ".item")
    if not ctx.available(item["subsidiary"], item["includechildren"], subsidiary):
        raise user_error(f"Invalid item reference key {item_id} for subsidiary {subsidiary}.", path + ".item")
    account = item["incomeaccount"] if sales else item["expenseaccount"]
    row = ctx.one("SELECT * FROM account WHERE id = ?", account) if account is not None else None
    if row is None or row["isinactive"] == "T":
        which = "income" if sales else "expense"
        # Wording: a guess (the item's posting account is missing or inactive).
        raise user_error(
            f"The {which} account of item {item['itemid']} does not exist or is inactive.", path + ".item"
        )
    if not ctx.available(row["subsidiary"], row["includechildren"], subsidiary):
        raise user_error(
            f"Invalid account reference key {account} for subsidiary {subsidiary}.", path + ".item"
        )
    quantity, rate, amount = line.get("quantity"), line.get("rate"), line.get("amount")
    if amount is None:
        if rate is None:
            raise mandatory(["Amount"], path + ".amount")
        amount = (1.0 if quantity is None else quantity) * rate
    elif rate is None and quantity:
        rate = amount / quantity
    return {**line, "account": int(account), "amount": money(amount), "rate": rate, "quantity": quantity}


def _expense_line(ctx: Ctx, line: dict[str, Any], subsidiary: int, path: str) -> dict[str, Any]:
    account, category = line.get("account"), line.get("category")
    if account is None and category is not None:
        row = ctx.one("SELECT expenseacct FROM expensecategory WHERE id = ?", category)
        account = row["expenseacct"] if row else None
    if account is None:
        raise mandatory(["Account"], path + ".account")
    row = account_in(ctx, int(account), subsidiary, path + ".account")
    if row["accttype"] in NOT_ON_LINES:
        raise invalid_value(account, "account", path + ".account")
    if line.get("amount") is None:
        raise mandatory(["Amount"], path + ".amount")
    return {**line, "account": int(account), "amount": money(line["amount"])}


def _journal_line(ctx: Ctx, line: dict[str, Any], subsidiary: int, path: str) -> dict[str, Any]:
    account = line.get("account")
    if account is None:
        raise mandatory(["Account"], path + ".account")
    row = account_in(ctx, int(account), subsidiary, path + ".account")
    if row["accttype"] in ("NonPosting", "Stat"):
        raise invalid_value(account, "account", path + ".account")
    debit, credit = line.get("debit"), line.get("credit")
    if (debit is None) == (credit is None) or (debit or credit or 0) < 0:
        # Wording: a guess (each journal line carries a debit or a credit).
        raise user_error("Enter either a debit or a credit amount on each journal line.", path)
    line_sub = line.get("subsidiary")
    if line_sub is not None and int(line_sub) != subsidiary:
        # A journal entry posts in one subsidiary (intercompany entries are another record type).
        raise user_error(
            "All lines of a journal entry must be in the subsidiary of the entry.", path + ".subsidiary"
        )
    entity = line.get("entity")
    subledger = SUBLEDGERS.get(row["accttype"])
    if subledger is not None:
        table = subledger.entity_table
        if entity is None or ctx.one(f"SELECT 1 FROM {table} WHERE id = ?", entity) is None:  # noqa: S608
            who = table
            # Wording: a guess (an A/R or A/P journal line must name its customer or vendor).
            raise user_error(
                f"A journal line that posts to {row['acctname']} must name a {who} in the entity field.",
                path + ".entity",
            )
    if entity is not None:
        for table in (s.entity_table for s in SUBLEDGERS.values()):
            found = ctx.one(f"SELECT 1 FROM {table} WHERE id = ?", entity)  # noqa: S608 -- fixed names
            if found is not None and not entity_in_subsidiary(ctx, table, int(entity), subsidiary):
                raise user_error(
                    f"Invalid entity reference key {entity} for subsidiary {subsidiary}.",
                    path + ".entity",
                )
    return {
        **line,
        "account": int(account),
        "debit": None if debit is None else money(debit),
        "credit": None if credit is None else money(credit),
    }


SUBLEDGER_LINE = 1  # the line of a payment or application that posts to its A/R (A/P) account


def write_lines(
    ctx: Ctx,
    rules: TransactionRules,
    record_id: int,
    v: dict[str, Any],
    lines: list[dict[str, Any]],
    account: int | None,
    entity: int | None,
    subsidiary: int,
    total: float,
    ledger_account: int | None = None,
) -> None:
    """The main line, then a payment's or application's A/R (A/P) line (``ledger_account``, the other side of
    its GL impact), then the item, expense or journal lines."""
    conn = ctx.conn
    conn.execute('DELETE FROM transactionline WHERE "transaction" = ?', (record_id,))
    sign = rules.main_sign
    rows: list[tuple[Any, ...]] = []
    if not rules.journal:
        rows.append(
            (record_id, 0, 0, "T", None, account, None, None, None, money(sign * total), None, None,
             v.get("memo"), v.get("class"), v.get("department"), v.get("location"), subsidiary, entity)
        )  # fmt: skip
    if rules.subledger_field is not None:
        rows.append(
            (record_id, SUBLEDGER_LINE, SUBLEDGER_LINE, "F", None, ledger_account, None, None, None,
             money(-sign * total), None, None, v.get("memo"), v.get("class"), v.get("department"),
             v.get("location"), subsidiary, entity)
        )  # fmt: skip
    for index, line in enumerate(lines):
        line_id = index if rules.journal else index + 1
        if rules.journal:
            debit, credit = line.get("debit"), line.get("credit")
            amount = money((debit or 0.0) - (credit or 0.0))
            memo = line.get("memo")
        else:
            debit = credit = None
            amount = money(-sign * line["amount"])
            memo = line.get("description") if line.get("item") is not None else line.get("memo")
        rows.append(
            (record_id, line_id, line_id, "T" if rules.journal and index == 0 else "F",
             line.get("item"), line.get("account"), line.get("category"), line.get("quantity"),
             line.get("rate"), amount, debit, credit, memo, line.get("class"), line.get("department"),
             line.get("location"), subsidiary, line.get("entity", entity))
        )  # fmt: skip
    conn.executemany(
        'INSERT INTO transactionline ("transaction", id, linesequencenumber, mainline, item, account, category, '
        "quantity, rate, foreignamount, debitforeignamount, creditforeignamount, memo, class, department, "
        "location, subsidiary, entity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def split_lines(rules: TransactionRules, lines: list[sqlite3.Row]) -> list[tuple[str, sqlite3.Row]]:
    """The non-main lines by sublist name, in order."""
    result: list[tuple[str, sqlite3.Row]] = []
    if rules.subledger_field is not None:
        return result  # its one other line is the A/R (A/P) line, a body field
    for line in lines:
        if rules.journal:
            result.append(("line", line))
        elif line["mainline"] != "T":
            result.append(("item" if line["item"] is not None else "expense", line))
    return result


def line_values(rules: TransactionRules, sublist: str, line: sqlite3.Row) -> dict[str, Any]:
    """A stored line as REST-level values (positive amounts; references as ids)."""
    base = {"class": line["class"], "department": line["department"], "location": line["location"]}
    if sublist == "line":
        return {**base, "account": line["account"], "debit": line["debitforeignamount"],
                "credit": line["creditforeignamount"], "memo": line["memo"], "entity": line["entity"],
                "subsidiary": line["subsidiary"]}  # fmt: skip
    amount = money(-rules.main_sign * float(line["foreignamount"]))
    if sublist == "item":
        return {**base, "item": line["item"], "quantity": line["quantity"], "rate": line["rate"],
                "amount": amount, "description": line["memo"], "account": line["account"]}  # fmt: skip
    return {
        **base,
        "account": line["account"],
        "category": line["category"],
        "amount": amount,
        "memo": line["memo"],
    }
