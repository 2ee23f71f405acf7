"""Rendering the cooperation brief: one self-contained HTML file, and a PDF made from it.

The HTML inlines its stylesheet and its charts (SVG); it references no font file, script,
stylesheet or image outside itself, so it opens offline and can be mailed as one file. The PDF
is WeasyPrint's rendering of the same HTML (A4), with Chinese text set in the CJK font found by
:func:`capcoop.reports.charts.cjk_font`.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from capcoop import __version__
from capcoop.errors import InputError
from capcoop.reports import charts
from capcoop.reports.brief import Brief, assemble_brief
from capcoop.reports.i18n import labels, text

__all__ = ["BriefFiles", "render_html", "render_pdf", "write_brief", "brief_filename"]

_LATIN_FONTS = ('"DejaVu Sans"', '"Liberation Sans"', "Arial", "Helvetica")
_CJK_FONTS = ('"Noto Sans CJK SC"', '"Source Han Sans SC"', '"PingFang SC"',
              '"Microsoft YaHei"')


@dataclass(frozen=True)
class BriefFiles:
    """The files written for a brief: ``html``, ``pdf`` (None when not written) and its page
    count, the brief itself and any warnings (missing font, PDF not written)."""

    html: Path
    pdf: Path | None
    pages: int | None
    brief: Brief
    warnings: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        """Paths, page count, parameters, warehouse and section availability (JSON-ready)."""
        return {"html": str(self.html), "pdf": str(self.pdf) if self.pdf else None,
                "pages": self.pages, "warnings": list(self.warnings)} | self.brief.meta()


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    folder = resources.files("capcoop.reports") / "templates"
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                              trim_blocks=False, lstrip_blocks=False,
                              undefined=jinja2.StrictUndefined)


def _font_stack(lang: str) -> str:
    font = charts.cjk_font()
    family = re.sub(r'["\\<>;{}]', "", font.family) if font else ""
    cjk = ([f'"{family}"'] if family else []) + list(_CJK_FONTS)
    fonts = cjk + list(_LATIN_FONTS) if lang == "zh" else list(_LATIN_FONTS) + cjk
    return ", ".join(fonts + ["sans-serif"])


def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML document (inline CSS and SVG charts)."""
    env = _environment()
    css = (resources.files("capcoop.reports") / "templates" / "brief.css").read_text("utf-8")
    lang = brief.lang
    params = text("params_value", lang, provider=brief.provider.short_name(lang),
                  partner=brief.partner.short_name(lang), year=brief.year)
    footer = re.sub(r'["\\<>]', "", f"capcoop {__version__} · {brief.warehouse}")
    return env.get_template("brief.html.j2").render(
        brief=brief, L=labels(lang), css=css, font_stack=_font_stack(lang), footer=footer,
        params=params, version=__version__,
        key_title=text("key_figures", lang, period=brief.year),
        sources_intro=text("src_intro", lang, warehouse=brief.warehouse))


def render_pdf(html: str, path: str | Path) -> int:
    """Write the PDF of ``html`` (WeasyPrint, A4) to ``path``; return its page count."""
    import weasyprint

    quiet = logging.getLogger("weasyprint")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(string=html, base_url=None).render()
        document.write_pdf(str(path))
    finally:
        quiet.setLevel(level)
    return len(document.pages)


def _preload_weasyprint() -> None:
    """Import WeasyPrint (about a second) while the brief is being assembled; a failure is
    reported by :func:`render_pdf`'s own import."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pass


def brief_filename(brief: Brief, suffix: str) -> str:
    """``capcoop-brief-CHN-ASEAN-2020-en.html`` and the like."""
    return (f"capcoop-brief-{brief.provider.code}-{brief.partner.code}-{brief.year}-"
            f"{brief.lang}.{suffix}")


def _out_dir(out: str | Path) -> Path:
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {str(out)!r} is a file, not a folder",
                         hint="give a folder to write the brief into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create the folder {str(out)!r} ({err.strerror})",
                         hint="give a folder you can write to with --out") from None
    return folder


def write_brief(provider: str = "CHN", partner: str = "ASEAN", year: int | None = None, *,
                lang: str | None = None, out: str | Path = ".", pdf: bool = True,
                warehouse: str | Path | None = None) -> BriefFiles:
    """Assemble the brief (:func:`~capcoop.reports.brief.assemble_brief`) and write its HTML
    file and, unless ``pdf`` is False, its PDF into the folder ``out``.

    A PDF that cannot be made (WeasyPrint's system libraries missing) becomes a warning; the
    HTML is always written.
    """
    if pdf:  # the import overlaps the services' warehouse queries
        threading.Thread(target=_preload_weasyprint, name="capcoop-brief-pdf", daemon=True).start()
    brief = assemble_brief(provider, partner, year, lang=lang, warehouse=warehouse)
    folder = _out_dir(out)
    html = render_html(brief)
    html_path = folder / brief_filename(brief, "html")
    html_path.write_text(html, encoding="utf-8")
    warnings = list(brief.warnings)
    pdf_path, pages = None, None
    if pdf:
        target = folder / brief_filename(brief, "pdf")
        try:
            pages = render_pdf(html, target)
            pdf_path = target
        except (ImportError, OSError) as err:
            warnings.append(text("pdf_missing", brief.lang, reason=str(err).splitlines()[0]))
    return BriefFiles(html_path, pdf_path, pages, brief, tuple(warnings))
