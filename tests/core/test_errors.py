"""One error hierarchy with stable codes, HTTP statuses and CLI exit codes."""

from __future__ import annotations

import pytest

from cthub.core import errors
from cthub.core.i18n import gettext


@pytest.mark.parametrize(
    ("cls", "status", "exit_code"),
    [
        (errors.InvalidInput, 400, 2),
        (errors.Unauthenticated, 401, 1),
        (errors.Forbidden, 403, 1),
        (errors.NotFound, 404, 1),
        (errors.Conflict, 409, 1),
        (errors.RateLimited, 429, 1),
        (errors.Unavailable, 503, 3),
    ],
)
def test_mapping(cls: type[errors.CthubError], status: int, exit_code: int) -> None:
    assert (cls.http_status, cls.exit_code) == (status, exit_code)
    assert issubclass(cls, errors.CthubError)


def test_message_is_translated_then_filled() -> None:
    exc = errors.InvalidInput(
        "Unknown role {role}.", hint="Use one of: {roles}.", role="boss", roles="admin, viewer"
    )
    assert str(exc) == "Unknown role boss."
    assert exc.to_dict() == {
        "error": "invalid_input",
        "message": "Unknown role boss.",
        "hint": "Use one of: admin, viewer.",
    }
    assert exc.render(gettext("zh_Hans")) == "未知角色 boss。"


def test_hostile_parameters_are_not_format_strings() -> None:
    exc = errors.InvalidInput("No user named {name}.", name="{__class__}")
    assert exc.render() == "No user named {__class__}."
