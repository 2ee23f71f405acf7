"""One registry of capcoop's settings.

Each setting is data: a name, a type, a default, the environment variable that overrides it and
a help text. :func:`get_setting` resolves a value (explicit value > environment > default) and
validates it; an unknown name gets a suggestion. ``capcoop settings`` prints the registry.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from capcoop.errors import SettingError

__all__ = ["Setting", "SETTINGS", "get_setting", "list_settings", "user_data_dir"]


def user_data_dir() -> Path:
    """The platform's per-user data directory for capcoop (e.g. ``~/.local/share/capcoop``)."""
    return Path(platformdirs.user_data_dir("capcoop", appauthor=False))


def _default_user_warehouse() -> str:
    return str(user_data_dir() / "capcoop.duckdb")


def _default_cache_dir() -> str:
    return platformdirs.user_cache_dir("capcoop", appauthor=False)


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(text)


def _to_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


_PARSERS: dict[str, Callable[[str], object]] = {
    "str": str, "int": int, "float": float, "bool": _to_bool, "path": str, "list": _to_list,
}


@dataclass(frozen=True)
class Setting:
    """A declared setting: name, type (``str|int|float|bool|path|list``), default, env var, help."""

    name: str
    type: str
    default: object
    env: str
    help: str

    def parse(self, raw: str) -> object:
        """Convert ``raw`` text to this setting's type, or raise :class:`SettingError`."""
        try:
            return _PARSERS[self.type](raw)
        except (ValueError, KeyError):
            raise SettingError(
                f"setting '{self.name}' expects a {self.type}, got {raw!r}",
                hint=f"set {self.env} to a valid {self.type}",
            ) from None

    def resolve_default(self) -> object:
        """The default value (callables are evaluated, so paths follow the platform)."""
        return self.default() if callable(self.default) else self.default


SETTINGS: dict[str, Setting] = {
    s.name: s for s in (
        Setting("warehouse", "path", None, "CAPCOOP_WAREHOUSE",
                "Warehouse file to use. Unset: the user warehouse if it exists, else the embedded demo."),
        Setting("user_warehouse", "path", _default_user_warehouse, "CAPCOOP_USER_WAREHOUSE",
                "Where the user's own warehouse lives (created by the first `capcoop ingest`)."),
        Setting("cache_dir", "path", _default_cache_dir, "CAPCOOP_CACHE_DIR",
                "Download cache for source fetchers."),
        Setting("blocs_file", "path", None, "CAPCOOP_BLOCS_FILE",
                "TOML file with user-defined blocs (see `capcoop codes blocs --help`)."),
        Setting("provider", "str", "CHN", "CAPCOOP_PROVIDER",
                "Default capacity provider (ISO3 code or bloc)."),
        Setting("partner", "str", "ASEAN", "CAPCOOP_PARTNER",
                "Default partner (ISO3 code or bloc)."),
        Setting("ranking_blocs", "list", ("ASEAN", "EU"), "CAPCOOP_RANKING_BLOCS",
                "Blocs counted as one partner in partner rankings (comma-separated)."),
        Setting("lang", "str", "en", "CAPCOOP_LANG", "Language of labels and statements: en or zh."),
        Setting("memory_limit", "str", "4GB", "CAPCOOP_MEMORY_LIMIT",
                "DuckDB memory limit for loads and queries (e.g. 2GB)."),
        Setting("threads", "int", 0, "CAPCOOP_THREADS",
                "DuckDB worker threads; 0 lets DuckDB use every core."),
    )
}


def _unknown(name: str) -> SettingError:
    close = difflib.get_close_matches(name, SETTINGS, n=3)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else \
        "run `capcoop settings` to list the settings"
    return SettingError(f"unknown setting {name!r}", hint=hint)


def get_setting(name: str, value: object = None) -> object:
    """Resolve setting ``name``: an explicit ``value`` wins, then its env var, then the default."""
    try:
        setting = SETTINGS[name]
    except KeyError:
        raise _unknown(name) from None
    if value is not None:
        return setting.parse(value) if isinstance(value, str) else value
    raw = os.environ.get(setting.env)
    if raw not in (None, ""):
        return setting.parse(raw)
    return setting.resolve_default()


def list_settings() -> list[dict[str, object]]:
    """Every setting with its current value and where that value comes from."""
    rows = []
    for s in SETTINGS.values():
        from_env = os.environ.get(s.env) not in (None, "")
        value = get_setting(s.name)
        rows.append({
            "name": s.name, "type": s.type,
            "value": ",".join(value) if isinstance(value, tuple) else value,
            "source": "env" if from_env else "default", "env": s.env, "help": s.help,
        })
    return rows
