"""Typed settings, read from ``CTHUB_*`` environment variables or passed in by tests.

Settings are one immutable object handed to ``create_app``, the CLI and the worker; nothing
reads the environment after start-up. Every field is documented in ``docs/settings.md`` (a test
checks it). Secrets have no usable default outside ``demo`` mode: ``check()`` refuses to start
a production instance with a missing or placeholder secret.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cthub.core.errors import ConfigError

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "demo", "xxx"})


class Settings(BaseSettings):
    """All of cthub's configuration. Field descriptions are the reference documentation."""

    model_config = SettingsConfigDict(env_prefix="CTHUB_", frozen=True, extra="forbid")

    mode: Literal["demo", "development", "production"] = Field(
        "demo",
        description="`demo` generates missing secrets and allows demo data; `production` "
        "refuses placeholder secrets and insecure cookies.",
    )
    data_dir: Path = Field(
        Path("var"), description="Directory for the embedded database, secrets and indexes."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL. Unset means SQLite (WAL) at `<data_dir>/cthub.db`; "
        "`postgresql+psycopg://user@host:5432/db` selects PostgreSQL.",
    )
    secret_key: str | None = Field(
        None,
        description="Server secret for signing (exports, node-to-node sync). Required outside "
        "demo mode; in demo mode one is generated and kept in `<data_dir>/secret_key`.",
    )
    job_backend: Literal["inprocess", "redis"] = Field(
        "inprocess",
        description="`inprocess` runs jobs on a worker thread inside `cthub serve`; `redis` "
        "queues them on Redis for `cthub worker` processes.",
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Redis URL for the job queue in server mode."
    )
    job_queue: str = Field("cthub", description="Name of the Redis job queue.")
    host: str = Field("127.0.0.1", description="Address `cthub serve` binds to.")
    port: int = Field(8000, description="Port `cthub serve` listens on.")
    session_max_age_s: int = Field(
        8 * 3600, description="Lifetime of a web session, in seconds, since its last use."
    )
    cookie_secure: bool | None = Field(
        None,
        description="Send session cookies with the Secure flag. Unset means on in "
        "production and off otherwise (plain http on localhost).",
    )
    login_max_failures: int = Field(
        5, description="Failed logins for one user name within the window before throttling."
    )
    login_window_s: int = Field(900, description="Window for counting failed logins, seconds.")
    default_language: Literal["en", "zh_Hans"] = Field(
        "en", description="UI language for users who have not chosen one."
    )
    page_size: int = Field(50, description="Rows per page in web tables and API listings.")
    travel_mask_after_days: int = Field(
        183,
        description="Days after a flight when PNR and API data are masked "
        "(Directive (EU) 2016/681 Art. 12(2): six months).",
    )
    travel_delete_after_days: int = Field(
        1826,
        description="Days after a flight when PNR and API data are deleted "
        "(Art. 12(4): five years).",
    )
    travel_unmask_hours: int = Field(
        72, description="Hours an approved unmask request stays open before it lapses."
    )
    travel_watchlist_threshold: float = Field(
        0.7, description="Score from which a watchlist match is a passenger hit."
    )
    travel_hub_airports: str = Field(
        "IST,SAW,AMM,BEY,CAI,DXB,SHJ,DOH,ADD,NBO,MGQ,KBL,ISB,TUN,GZT,HTY",
        description="Comma-separated transit hubs the risk rules' route attributes look for.",
    )
    travel_watch_countries: str = Field(
        "SYR,IRQ,AFG,SOM,YEM,LBY,MLI,NER,BFA",
        description="Comma-separated destination countries (ISO alpha-3) of the risk rules' "
        "country-list attributes (areas of conflict, as the competent authority sets them).",
    )
    travel_watchlist_lists: str = Field(
        "", description="Comma-separated lists passengers are screened against (empty: all)."
    )
    finance_goaml_config: Path | None = Field(
        None,
        description="YAML file with the FIU's goAML settings and code lists (unset: the "
        "bundled example configuration).",
    )
    finance_import_dir: Path | None = Field(
        None,
        description="Folder of transaction files on the server that may be registered into a "
        "dataset by name, without uploading them (unset: registering is off).",
    )
    finance_fx_rates: str = Field(
        "",
        description="Exchange rates for goAML amount_local, as CUR=rate pairs giving the local "
        "amount of one unit (e.g. EUR=3.97,USD=3.6725).",
    )
    content_max_pixels: int = Field(
        100_000_000,
        description="Largest image (width x height) hashed; bigger ones are refused as "
        "possible decompression bombs.",
    )
    content_max_bytes: int = Field(
        256 * 1024 * 1024, description="Largest file accepted for hashing or matching, bytes."
    )
    content_flood_matches: int = Field(
        100,
        description="Matches on one hash within the flood window that quarantine it "
        "(a poisoned list) and raise an alert.",
    )
    content_flood_window_s: int = Field(
        600, description="Window for counting matches on one hash, seconds."
    )
    content_dihedral: bool = Field(
        False,
        description="Also match the rotations and mirror images of each photo (PDQ dihedral "
        "hashes).",
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cthub.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.mode == "production"

    def resolved_secret(self) -> str:
        """The secret key, generated and persisted under ``data_dir`` in demo mode."""
        if self.secret_key and self.secret_key.lower() not in PLACEHOLDER_SECRETS:
            return self.secret_key
        if self.mode != "demo":
            raise ConfigError(
                "CTHUB_SECRET_KEY is missing or a placeholder in {mode} mode.",
                hint="Set CTHUB_SECRET_KEY to a long random value, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`.",
                mode=self.mode,
            )
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        path.write_text(value)
        path.chmod(0o600)
        return value

    def check(self) -> None:
        """Refuse unsafe production settings before anything starts."""
        self.resolved_secret()
        if self.mode == "production" and self.cookie_secure is False:
            raise ConfigError(
                "Insecure cookies are not allowed in production.",
                hint="Unset CTHUB_COOKIE_SECURE or set it to true.",
            )


__all__ = ["Settings"]
