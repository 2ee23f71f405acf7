"""Use cases of the trade monitor: bilateral summaries, partner rankings, streaks, reported vs
mirror comparisons, product composition and headline statements.

Each public function opens the warehouse read-only once, asks
:mod:`capcoop.warehouse.trade_queries` for compact sums (one row per period, subject member,
counterpart and flow) and computes the figures with :mod:`capcoop.analytics.trade`. Results are
value objects that carry their notes (data gaps, estimates, caveats), the warehouse label
(``demo`` for the embedded one) and, on request, the stored rows behind the numbers.
Definitions and formulas: ``docs/methods/monitor.md``.

Modules: :mod:`~capcoop.services.monitor.economies` (reporter, partner and bloc names),
:mod:`~capcoop.services.monitor.selection` (choosing and loading the stored rows),
:mod:`~capcoop.services.monitor.bilateral` (:func:`bilateral_summary`),
:mod:`~capcoop.services.monitor.rankings` (rankings, streaks and :func:`monitor`),
:mod:`~capcoop.services.monitor.composition` (mirror comparison and product composition) and
:mod:`~capcoop.services.monitor.statements` (:func:`headlines`). This package re-exports their
public names.
"""

from capcoop.services.monitor.bilateral import BilateralSummary, FlowValues, bilateral_summary
from capcoop.services.monitor.composition import (
    MirrorComparison,
    ProductComposition,
    mirror_comparison,
    product_composition,
)
from capcoop.services.monitor.economies import CIF_FOB_CAVEAT, Economy, economy, ranking_blocs
from capcoop.services.monitor.rankings import (
    MonitorReport,
    PartnerRanking,
    RankStreak,
    monitor,
    partner_ranking,
    partner_streak,
    ranking_history,
)
from capcoop.services.monitor.selection import Selection
from capcoop.services.monitor.statements import Fact, Headlines, Statement, headlines

__all__ = ["Economy", "economy", "ranking_blocs", "Selection", "FlowValues", "BilateralSummary",
           "PartnerRanking", "RankStreak", "MonitorReport", "MirrorComparison",
           "ProductComposition", "Fact", "Statement", "Headlines", "bilateral_summary",
           "partner_ranking", "ranking_history", "partner_streak", "monitor",
           "mirror_comparison", "product_composition", "headlines", "CIF_FOB_CAVEAT"]
