"""Charts of the cooperation brief, drawn with matplotlib and returned as inline SVG text.

Text stays text (``svg.fonttype = "none"``): labels are searchable and selectable, the SVG is
half the size of one with glyph outlines, and WeasyPrint renders it about twice as fast. Each
label names the CJK font found by :func:`cjk_font` (WenQuanYi Micro Hei, Noto Sans CJK, Source
Han Sans ...), then DejaVu Sans, then the generic ``sans-serif``, so a reader's own fonts
display it when those are absent; nothing outside the file is referenced. Chinese labels need a
font with CJK glyphs for the PDF: :func:`font_warning` says which Debian package to install
when there is none.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["CJKFont", "cjk_font", "font_warning", "preload", "trend_chart", "ranking_chart",
           "shares_chart", "CJK_PACKAGE"]

#: The Debian package that provides the preferred Chinese font.
CJK_PACKAGE = "fonts-wqy-microhei"
_CJK_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC",
                 "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Droid Sans Fallback",
                 "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC")
_LATIN = ["DejaVu Sans"]
_ACCENT, _SECOND, _MUTED, _INK = "#b22222", "#2f5d8a", "#9aa7b4", "#222222"


@dataclass(frozen=True)
class CJKFont:
    """A font with Chinese glyphs: its family name and file."""

    family: str
    path: str


@lru_cache(maxsize=1)
def cjk_font() -> CJKFont | None:
    """The first installed font with Chinese glyphs, registered with matplotlib (None: none).

    matplotlib's font cache may predate the font's installation, so fontconfig
    (``fc-list :lang=zh``) is asked as well and the file is added to matplotlib's list.
    """
    from matplotlib import font_manager

    known = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in known:
            return CJKFont(family, known[family])
    for path in _fontconfig_cjk_files():
        try:
            font_manager.fontManager.addfont(path)
            family = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
        return CJKFont(family, path)
    return None


def _fontconfig_cjk_files() -> list[str]:
    """Font files fontconfig lists for Chinese, preferred families first."""
    if shutil.which("fc-list") is None:
        return []
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "file", "family"], capture_output=True,
                                 text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    entries = [line.split(":", 1) for line in listing.splitlines() if ":" in line]

    def preference(entry: list[str]) -> int:
        names = entry[1]
        hits = [i for i, family in enumerate(_CJK_FAMILIES) if family in names]
        return min(hits) if hits else len(_CJK_FAMILIES)

    return [path.strip() for path, _ in sorted(entries, key=preference)]


def font_warning(lang: str) -> str | None:
    """The warning to show when ``lang`` needs CJK glyphs and no font has them (else None)."""
    if lang != "zh" or cjk_font() is not None:
        return None
    from capcoop.reports.i18n import text

    return text("font_missing", lang)


def preload() -> None:
    """Import matplotlib's figure and SVG backend (about a second), e.g. in a worker thread
    while the data are being gathered."""
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401


def _families(lang: str) -> list[str]:
    font = cjk_font() if lang == "zh" else None
    return ([font.family] if font else []) + _LATIN


def _svg(fig: Any, prefix: str) -> str:
    """The figure as an ``<svg>`` element whose ids are prefixed (several charts share a page)."""
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # missing glyphs: warned about once
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return svg.replace("<svg ", f'<svg role="img" class="chart" data-chart="{prefix}" ', 1)


def _spread(values: Sequence[float], gap: float) -> list[float]:
    """Label positions near ``values`` but at least ``gap`` apart (order kept)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [0.0] * len(values)
    last = None
    for i in order:
        y = values[i] if last is None else max(values[i], last + gap)
        placed[i], last = y, y
    return placed


@contextmanager
def _canvas(lang: str, prefix: str, width: float, height: float) -> Iterator[Any]:
    """A matplotlib figure (no pyplot) drawn with the brief's style; SVG ids salted by ``prefix``."""
    import matplotlib
    from matplotlib.figure import Figure

    style = {"font.family": "sans-serif", "font.sans-serif": _families(lang),
             "svg.fonttype": "none", "svg.hashsalt": prefix, "font.size": 8.5,
             "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": _MUTED,
             "axes.labelcolor": _INK, "xtick.color": _INK, "ytick.color": _INK,
             "axes.unicode_minus": False}
    with matplotlib.rc_context(style):
        yield Figure(figsize=(width, height), layout="constrained")


def _finish(fig: Any, prefix: str, title: str) -> str:
    svg = _svg(fig, prefix)
    label = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return svg.replace("<svg ", f'<svg aria-label="{label}" ', 1)


def trend_chart(years: Sequence[int], exports: Sequence[float | None],
                imports: Sequence[float | None], ranks: Mapping[int, int | None], *,
                labels: Mapping[str, str], title: str, lang: str = "en",
                prefix: str = "trend") -> str:
    """Stacked exports and imports per year (US$ billion) over the partner's rank per year.

    ``labels`` gives ``exports``, ``imports``, ``usd_bn`` and ``rank_axis``.
    """
    with _canvas(lang, prefix, 6.8, 3.6) as fig:
        _draw_trend(fig, list(years), exports, imports, ranks, labels)
        return _finish(fig, prefix, title)


def _draw_trend(fig: Any, xs: list[int], exports: Sequence[float | None],
                imports: Sequence[float | None], ranks: Mapping[int, int | None],
                labels: Mapping[str, str]) -> None:
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.2])
    ex = [(v or 0.0) / 1e9 for v in exports]
    im = [(v or 0.0) / 1e9 for v in imports]
    top.bar(xs, ex, color=_SECOND, label=labels["exports"], width=0.75)
    top.bar(xs, im, bottom=ex, color=_MUTED, label=labels["imports"], width=0.75)
    top.set_ylabel(labels["usd_bn"])
    top.legend(frameon=False, loc="upper left", ncols=2)
    top.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    top.set_axisbelow(True)
    if xs and (ex[-1] + im[-1]) > 0:
        top.annotate(f"{ex[-1] + im[-1]:,.1f}", (xs[-1], ex[-1] + im[-1]), ha="center",
                     va="bottom", fontsize=7.5, color=_INK)
    ranked = [(y, r) for y, r in sorted(ranks.items()) if r is not None and y in set(xs)]
    if ranked:
        bottom.plot([y for y, _ in ranked], [r for _, r in ranked], marker="o", markersize=3,
                    color=_ACCENT, linewidth=1.4, drawstyle="steps-mid")
        worst = max(r for _, r in ranked)
        bottom.set_ylim(worst + 0.5, 0.5)
        bottom.set_yticks(sorted({1, worst, *[r for _, r in ranked][-1:]}))
    bottom.set_ylabel(labels["rank_axis"])
    bottom.xaxis.get_major_locator().set_params(integer=True)


def ranking_chart(names: Sequence[str], totals: Sequence[float], shares: Sequence[float | None],
                  highlight: Sequence[bool], *, labels: Mapping[str, str], title: str,
                  lang: str = "en", prefix: str = "ranking") -> str:
    """Horizontal bars of the largest partners' total trade, the chosen partner highlighted,
    each labelled with its share of the reporter's trade."""
    n = len(names)
    with _canvas(lang, prefix, 6.8, 0.3 * n + 0.8) as fig:
        _draw_ranking(fig.subplots(), names, totals, shares, highlight, labels)
        return _finish(fig, prefix, title)


def _draw_ranking(ax: Any, names: Sequence[str], totals: Sequence[float],
                  shares: Sequence[float | None], highlight: Sequence[bool],
                  labels: Mapping[str, str]) -> None:
    n = len(names)
    ys = list(range(n))[::-1]
    values = [t / 1e9 for t in totals]
    ax.barh(ys, values, color=[_ACCENT if h else _SECOND for h in highlight], height=0.7)
    ax.set_yticks(ys, list(names))
    ax.set_xlabel(labels["usd_bn"])
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    right = max(values) if values else 1.0
    ax.set_xlim(0, right * 1.18)
    for y, value, share in zip(ys, values, shares, strict=True):
        tag = f"{value:,.1f}" + (f"  ({share:.1f}%)" if share is not None else "")
        ax.text(value + right * 0.01, y, tag, va="center", fontsize=7.5, color=_INK)


def shares_chart(series: Mapping[str, Mapping[int, float | None]], *, highlight: str | None,
                 labels: Mapping[str, str], title: str, lang: str = "en",
                 prefix: str = "shares") -> str:
    """Lines of partners' shares of the reporter's trade, one per partner (``highlight`` red)."""
    with _canvas(lang, prefix, 6.8, 2.8) as fig:
        _draw_shares(fig.subplots(), series, highlight, labels)
        return _finish(fig, prefix, title)


def _draw_shares(ax: Any, series: Mapping[str, Mapping[int, float | None]],
                 highlight: str | None, labels: Mapping[str, str]) -> None:
    palette = iter([_SECOND, "#6b8e23", "#8a6d3b", "#555555", "#7b68ee", "#2e8b57"])
    ends = []
    for name, points in series.items():
        pairs = [(y, v) for y, v in sorted(points.items()) if v is not None]
        if not pairs:
            continue
        color = _ACCENT if name == highlight else next(palette, _MUTED)
        ax.plot([y for y, _ in pairs], [v for _, v in pairs], marker="o", markersize=2.5,
                linewidth=2.0 if name == highlight else 1.2, color=color)
        ends.append((pairs[-1], name, color))
    low, high = ax.get_ylim()
    for (point, name, color), y in zip(ends, _spread([e[0][1] for e in ends],
                                                     0.06 * (high - low)), strict=True):
        ax.annotate(name, (point[0], y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=7.5, color=color)
    ax.set_ylabel(labels["share_axis"])
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.12)
