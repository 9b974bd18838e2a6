"""Who is asking: the admin token or a unit's upload-link token, compared in constant time.

Every request needs one, whatever address the server is bound to. Carried as
``Authorization: Bearer <token>``, or by a cookie that ``/?token=…`` (admin) or a unit's link
``/t/<token>`` sets. A unit token is ``<unit id>.<secret>``: the id finds the row, the secret
is compared with ``hmac.compare_digest``.

CSRF: a request that relies on a cookie and changes something must carry ``csrf`` (form field)
or ``X-CSRF-Token`` (the page script): an HMAC of the cookie's token under a per-process key.
Bearer requests carry no ambient credential and need none.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from ..record import record

ADMIN_COOKIE = "gxnb_token"
UNIT_COOKIE = "gxnb_unit"


@record(frozen=True)
class Principal:
    """Who a request comes from: the county office or one unit."""

    kind: str  # admin | unit
    token: str  # the token that authenticated (for the CSRF value)
    via: str  # bearer | cookie | link
    unit_id: int | None = None
    collection_id: int | None = None

    @property
    def admin(self) -> bool:
        return self.kind == "admin"


class Auth:
    def __init__(self, store, admin_token: str):
        self.store = store
        self.admin_token = admin_token
        self._key = secrets.token_bytes(32)

    def admin(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(candidate.encode(), self.admin_token.encode())

    def unit(self, candidate: str | None):
        """The unit row of an upload-link token, or None."""
        if not candidate or "." not in candidate:
            return None
        uid, _, secret = candidate.partition(".")
        if not uid.isdigit() or len(uid) > 12:
            return None
        row = self.store.unit(int(uid))
        if row is None or not hmac.compare_digest(secret.encode(), row["token"].encode()):
            return None
        return row

    def identify(self, token: str | None, via: str) -> Principal | None:
        if self.admin(token):
            return Principal("admin", token, via)
        row = self.unit(token)
        if row is not None:
            return Principal("unit", token, via, row["id"], row["collection_id"])
        return None

    def principal(self, headers, cookies) -> Principal | None:
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return self.identify(auth[7:].strip(), "bearer")  # a wrong bearer is refused, no fallback
        return self.identify(cookies.get(ADMIN_COOKIE), "cookie") or self.identify(cookies.get(UNIT_COOKIE), "cookie")

    def csrf(self, principal: Principal) -> str:
        return hmac.new(self._key, b"csrf:" + principal.token.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, principal: Principal, given: str | None) -> bool:
        if principal.via == "bearer":
            return True
        return bool(given) and hmac.compare_digest(given.encode(), self.csrf(principal).encode())


def unit_token(unit_row) -> str:
    return f"{unit_row['id']}.{unit_row['token']}"
