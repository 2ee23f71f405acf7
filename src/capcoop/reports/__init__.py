"""Reports over the services: the cooperation brief (self-contained HTML and PDF).

``write_brief("CHN", "ASEAN", 2020, lang="zh", out="briefs")`` writes both files;
``assemble_brief`` returns the content as a value and ``render_html`` / ``render_pdf`` render
it. See ``docs/brief.md``.
"""

from __future__ import annotations

from capcoop.reports.brief import Brief, assemble_brief, latest_year
from capcoop.reports.render import BriefFiles, render_html, render_pdf, write_brief

__all__ = ["Brief", "BriefFiles", "assemble_brief", "latest_year", "render_html", "render_pdf",
           "write_brief"]
