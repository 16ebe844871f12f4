"""Settings: documented, typed, and unsafe secrets refused outside demo mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from cthub.core.config import Settings
from cthub.core.errors import ConfigError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    missing = [n for n in Settings.model_fields if f"`CTHUB_{n.upper()}`" not in text]
    assert not missing, f"document these in docs/settings.md: {missing}"


def test_every_setting_has_a_description() -> None:
    assert all(f.description for f in Settings.model_fields.values())


@pytest.mark.parametrize("secret", [None, "", "changeme", "secret"])
def test_production_refuses_missing_or_placeholder_secret(
    tmp_path: Path, secret: str | None
) -> None:
    settings = Settings(mode="production", data_dir=tmp_path, secret_key=secret)
    with pytest.raises(ConfigError, match="CTHUB_SECRET_KEY"):
        settings.check()


def test_production_refuses_insecure_cookies(tmp_path: Path) -> None:
    settings = Settings(
        mode="production", data_dir=tmp_path, secret_key="x" * 40, cookie_secure=False
    )
    with pytest.raises(ConfigError, match="cookies"):
        settings.check()
    assert Settings(mode="production", secret_key="x" * 40).secure_cookies


def test_demo_generates_and_keeps_a_secret(tmp_path: Path) -> None:
    settings = Settings(mode="demo", data_dir=tmp_path)
    first = settings.resolved_secret()
    assert len(first) >= 40
    assert Settings(mode="demo", data_dir=tmp_path).resolved_secret() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CTHUB_PORT", "9100")
    monkeypatch.setenv("CTHUB_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.port == 9100
    assert settings.effective_database_url == f"sqlite:///{tmp_path}/cthub.db"
    with pytest.raises(ValueError, match="extra"):
        Settings(unknown_setting=1)  # type: ignore[call-arg]
