"""External data sources: one module each, with ``SOURCE``, ``fetch()`` and a pure ``parse()``.

:func:`get_source` returns a source module by name; :func:`source_infos` lists them all.
"""

from __future__ import annotations

import difflib
import importlib
from types import ModuleType

from capcoop.errors import InputError
from capcoop.sources.base import ParsedFile, SourceInfo, SqlStage, TableBatch

__all__ = ["SOURCE_MODULES", "get_source", "source_infos", "ParsedFile", "SourceInfo",
           "SqlStage", "TableBatch"]

#: Source name -> implementing module. Names are what `capcoop ingest SOURCE` accepts.
SOURCE_MODULES: dict[str, str] = {
    "baci": "capcoop.sources.baci",
    "imf-dots": "capcoop.sources.imf_dots",
    "comtrade": "capcoop.sources.comtrade",
    "singstat": "capcoop.sources.singstat",
    "wdi": "capcoop.sources.wdi",
    "wb-income": "capcoop.sources.wb_income",
    "adb-mrio": "capcoop.sources.adb_mrio",
    "export-matrix": "capcoop.sources.export_matrix",
    "wiod2013": "capcoop.sources.io_wiod",
    "china-io": "capcoop.sources.io_china",
    "pymrio-text": "capcoop.sources.io_pymrio",
    "adb-mrio-table": "capcoop.sources.io_adb",
    "oecd-icio": "capcoop.sources.io_icio",
    "undp-vaccines": "capcoop.sources.undp_vaccines",
    "epa-ghg": "capcoop.sources.epa_ghg",
}


def get_source(name: str) -> ModuleType:
    """The module of source ``name``; :class:`InputError` with suggestions when unknown."""
    key = name.strip().lower().replace("_", "-")
    if key not in SOURCE_MODULES:
        close = difflib.get_close_matches(key, SOURCE_MODULES, n=2)
        hint = (f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "") + \
            "run `capcoop sources` to list them"
        raise InputError(f"unknown source {name!r}", hint=hint)
    return importlib.import_module(SOURCE_MODULES[key])


def source_infos() -> list[SourceInfo]:
    """Every supported source's description (only sources whose module is installed)."""
    infos = []
    for name in SOURCE_MODULES:
        try:
            infos.append(get_source(name).SOURCE)
        except ModuleNotFoundError:
            continue
    return infos
