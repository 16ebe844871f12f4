"""One error hierarchy for cthub, mapped to HTTP status codes and CLI exit codes at the edge.

A ``CthubError`` carries a ``message`` and an optional ``hint``. Both are English msgids from
the translation catalogue, formatted with ``params`` after translation, so every interface can
show the same words in the user's language. Services raise these; routes and commands never
invent their own.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CthubError(Exception):
    """Base of every expected failure. ``code`` is stable and machine readable."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, hint: str | None = None, **params: Any) -> None:
        self.message = message
        self.hint = hint
        self.params = params
        super().__init__(self.render())

    def render(self, gettext: Any = None) -> str:
        """The message, translated with ``gettext`` when given, with its parameters filled."""
        return _fill(gettext(self.message) if gettext else self.message, self.params)

    def render_hint(self, gettext: Any = None) -> str | None:
        if self.hint is None:
            return None
        return _fill(gettext(self.hint) if gettext else self.hint, self.params)

    def to_dict(self, gettext: Any = None) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": self.render(gettext),
            "hint": self.render_hint(gettext),
        }


def _fill(text: str, params: dict[str, Any]) -> str:
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


class InvalidInput(CthubError):
    """The caller sent something we cannot accept; the message names the field, line or file."""

    code = "invalid_input"
    http_status = 400
    exit_code = 2


class Unauthenticated(CthubError):
    """No valid session, password or API key."""

    code = "unauthenticated"
    http_status = 401
    exit_code = 1


class Forbidden(CthubError):
    """Authenticated, but the policy does not allow this action on this resource."""

    code = "forbidden"
    http_status = 403
    exit_code = 1


class NotFound(CthubError):
    code = "not_found"
    http_status = 404
    exit_code = 1


class Conflict(CthubError):
    code = "conflict"
    http_status = 409
    exit_code = 1


class RateLimited(CthubError):
    """Too many attempts (failed logins); retry later."""

    code = "rate_limited"
    http_status = 429
    exit_code = 1


class Unavailable(CthubError):
    """A dependency (database, Redis, a remote list) cannot be reached right now."""

    code = "unavailable"
    http_status = 503
    exit_code = 3


class ConfigError(CthubError):
    """The settings are unusable (for example a placeholder secret in production)."""

    code = "config_error"
    http_status = 500
    exit_code = 2


__all__ = [
    "ConfigError",
    "Conflict",
    "CthubError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "Unavailable",
]
