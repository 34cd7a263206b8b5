"""A person at work in the NetSuite account, for tests and demos of read-back: a clerk who records a customer's
payment, pays a carrier's bill, edits a total, voids or deletes a record in NetSuite's pages.

Each action goes through the same business rules as a REST write (a payment cannot exceed what remains open, a
paid invoice cannot be deleted), as the administrator, and leaves what NetSuite's pages leave: the payment and its
links (``previoustransactionlinelink``), amounts remaining, statuses, ``lastmodifieddate`` and, for a deletion,
a ``deletedrecord`` row whose context is the user interface.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netsuite_emulator.records._io import CENT, Ctx, RecordError, money
from netsuite_emulator.records._read import find
from netsuite_emulator.records._types import RecordType, record_type
from netsuite_emulator.records.rules import (
    Draft,
    Options,
    TransactionWriter,
    custom_fields,
    list_writer,
    parse_body,
)
from netsuite_emulator.store import AccountStore

ADMINISTRATOR_ROLE = 3
UI_CONTEXT = "UI"  # DeletedRecord's context for a change made in NetSuite's pages (a guess)


class PersonError(Exception):
    """NetSuite refused what the person tried (the message is NetSuite's), or the record does not exist."""


class Person:
    """The account's administrator, acting in NetSuite's pages. ``clock`` is the account's (Unix seconds)."""

    def __init__(self, store: AccountStore, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock
        self._user = self._administrator()

    def pay_invoice(self, invoice: str | int, amount: float | None = None, *, memo: str | None = None) -> int:
        """Record a customer payment of ``amount`` (default: what remains) on one invoice; its internal id."""
        return self.pay_invoices({invoice: amount}, memo=memo)

    def pay_invoices(self, amounts: dict[str | int, float | None], *, memo: str | None = None) -> int:
        """One customer payment applied to several invoices of one customer (None: what remains on it)."""
        return self._pay("invoice", "customerpayment", "customer", amounts, memo)

    def pay_bill(self, bill: str | int, amount: float | None = None, *, memo: str | None = None) -> int:
        """Pay a vendor bill (default: what remains) from the subsidiary's first bank account; the payment's id."""
        return self._pay("vendorbill", "vendorpayment", "entity", {bill: amount}, memo)

    def edit_total(self, record_type_name: str, record: str | int, total: float) -> None:
        """Change a transaction's total to ``total`` by changing its last line's amount (as a clerk correcting a
        rate would)."""
        rt = _type(record_type_name)
        with self._store.write() as conn:
            ctx = self._ctx(conn)
            record_id = self._find(ctx, rt, record)
            writer = TransactionWriter(ctx, rt, custom_fields(conn).get("transaction", {}))
            source, draft = writer.load(record_id)
            sublist = next((name for name, lines in draft.lines.items() if lines), None)
            if sublist is None:
                raise PersonError(f"{rt.key} {record_id} has no lines to edit")
            last = draft.lines[sublist][-1]
            delta = money(total - float(source["foreigntotal"]))
            amount = money(float(last["amount"]) + delta)
            quantity = last.get("quantity")
            last.update(amount=amount, rate=money(amount / quantity) if quantity else None)
            self._save(writer, draft, record_id, source)

    def copy(self, record_type_name: str, record: str | int) -> int:
        """Make Copy: a new transaction with the same entity, lines and custom fields (a load number too), a new
        number and no external id, as NetSuite's Actions > Make Copy leaves it; its internal id."""
        rt = _type(record_type_name)
        with self._store.write() as conn:
            ctx = self._ctx(conn)
            record_id = self._find(ctx, rt, record)
            writer = TransactionWriter(ctx, rt, custom_fields(conn).get("transaction", {}))
            _, draft = writer.load(record_id)
            draft.values.pop("externalId", None)
            draft.values.pop("tranId", None)
            draft.apply = []
            return self._save(writer, draft, None, None)

    def void(self, record_type_name: str, record: str | int) -> None:
        """Void a transaction (Void Transactions Using Reversing Journals off: a direct void, total and lines
        zero, the record kept); a voided payment no longer pays what it applied to."""
        rt = _type(record_type_name)
        with self._store.write() as conn:
            ctx = self._ctx(conn)
            record_id = self._find(ctx, rt, record)
            if rt.family != "transaction":
                raise PersonError(f"{rt.key} is not a transaction")
            try:
                TransactionWriter(ctx, rt, {}).void(record_id)
            except RecordError as error:
                raise PersonError(error.detail) from None

    def delete(self, record_type_name: str, record: str | int) -> None:
        """Delete a record (NetSuite refuses when payments or credits are applied to it)."""
        rt = _type(record_type_name)
        with self._store.write() as conn:
            ctx = self._ctx(conn)
            record_id = self._find(ctx, rt, record)
            try:
                if rt.family == "transaction":
                    TransactionWriter(ctx, rt, {}).delete(record_id)
                else:
                    list_writer(ctx, rt, {}).delete(record_id)
            except RecordError as error:
                raise PersonError(error.detail) from None

    # -- inside ---------------------------------------------------------------------------------------------

    def _pay(
        self,
        document_type: str,
        payment_type: str,
        party_field: str,
        amounts: dict[str | int, float | None],
        memo: str | None,
    ) -> int:
        document_rt, payment_rt = _type(document_type), _type(payment_type)
        with self._store.write() as conn:
            ctx = self._ctx(conn)
            docs = [(self._find(ctx, document_rt, ref), amount) for ref, amount in amounts.items()]
            rows = [ctx.one('SELECT * FROM "transaction" WHERE id = ?', doc) for doc, _ in docs]
            first = rows[0]
            if first is None:
                raise PersonError(f"{document_type} not found")
            applied = [
                money(float(row["foreignamountunpaid"] or 0.0) if amount is None else amount)
                for row, (_, amount) in zip(rows, docs, strict=True)
                if row is not None
            ]
            body: dict[str, Any] = {
                party_field: {"id": str(first["entity"])},
                "subsidiary": {"id": str(first["subsidiary"])},
                "currency": {"id": str(first["currency"])},
                "tranDate": ctx.today(),
                "memo": memo or "Entered in NetSuite",
                "apply": {
                    "items": [
                        {"doc": {"id": str(doc)}, "apply": True, "amount": amount}
                        for (doc, _), amount in zip(docs, applied, strict=True)
                        if amount > CENT
                    ]
                },
            }
            if payment_type == "customerpayment":
                body.update(payment=money(sum(applied)), undepFunds=True)
            else:
                bank = ctx.one(
                    "SELECT id FROM account WHERE accttype = 'Bank' AND isinactive = 'F' "
                    "AND (subsidiary IS NULL OR subsidiary = ?) ORDER BY id",
                    first["subsidiary"],
                )
                if bank is None:
                    raise PersonError("the subsidiary has no bank account to pay from")
                body["account"] = {"id": str(bank["id"])}
            custom = custom_fields(conn).get("transaction", {})
            writer = TransactionWriter(ctx, payment_rt, custom)
            draft = Draft()
            try:
                writer.merge(draft, parse_body(ctx, payment_rt, body, custom), Options(), existing=False)
            except RecordError as error:
                raise PersonError(error.detail) from None
            return self._save(writer, draft, None, None)

    def _save(self, writer: TransactionWriter, draft: Draft, record_id: int | None, source: Any) -> int:
        try:
            return writer.save(draft, record_id, source)
        except RecordError as error:
            raise PersonError(error.detail) from None

    def _find(self, ctx: Ctx, rt: RecordType, record: str | int) -> int:
        ref = str(record)
        try:
            return find(ctx, rt, ref if ref.isdigit() or ref.startswith("eid:") else f"eid:{ref}")
        except RecordError:
            raise PersonError(f"{rt.key} {ref} does not exist") from None

    def _ctx(self, conn: Any) -> Ctx:
        subsidiaries = conn.execute("SELECT id, parent FROM subsidiary").fetchall()
        every = frozenset(int(r["id"]) for r in subsidiaries)
        return Ctx(
            conn=conn,
            role=ADMINISTRATOR_ROLE,
            user=self._user,
            base="https://netsuite.emulator/services/rest/record/v1",
            now=self._clock(),
            writable=every,
            visible=every,
            parents={int(r["id"]): r["parent"] for r in subsidiaries},
            oneworld=self._store.company().oneworld,
            period_override=True,
            context=UI_CONTEXT,
        )

    def _administrator(self) -> int:
        token = self._store.access_token_by_handle("admin")
        if token is not None:
            return token.entity
        rows = self._store.query("SELECT id FROM employee ORDER BY id LIMIT 1")
        if not rows:
            raise PersonError("the account has no employee to act as")
        return int(rows[0]["id"])


def _type(name: str) -> RecordType:
    rt = record_type(name)
    if rt is None:
        raise PersonError(f"unknown record type {name!r}")
    return rt
