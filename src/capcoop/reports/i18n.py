"""Labels and fixed sentences of the cooperation brief, in English and Chinese.

Statements about the data come from the services (which speak both languages); this module
holds only the brief's own words: titles, table headers, chart labels and the notes a section
shows when its data or service is missing. :func:`text` looks a key up and fills its fields.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGUAGES", "STRINGS", "text", "labels", "term", "check_lang"]

LANGUAGES = ("en", "zh")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "{provider}–{partner} cooperation brief, {year}",
        "kicker": "capcoop · production-capacity cooperation brief",
        "generated": "Generated",
        "warehouse": "Warehouse",
        "parameters": "Parameters",
        "params_value": "provider {provider}, partner {partner}, year {year}, language English",
        "demo_label": "Demo data: computed from capcoop's embedded sample warehouse (extracts of "
                      "IMF, World Bank, ADB, WTO, WIOD, NBS/OECD, US EPA and UNDP data; see the "
                      "sources section). Load your own data for current figures.",
        "contents": "Contents",
        "s_headlines": "Headlines",
        "s_trade": "Trade trend and partner ranking",
        "s_opportunities": "Cooperation areas by host country",
        "s_dependencies": "Main supply dependencies",
        "s_supplies": "Critical supplies",
        "s_sources": "Data sources and caveats",
        "s_notes": "Notes",
        "key_figures": "Key figures, {period}",
        "figure": "Figure",
        "metric": "Indicator",
        "value": "Value",
        "exports_of": "{name}'s exports to {other}",
        "imports_of": "{name}'s imports from {other}",
        "total_trade": "Bilateral trade",
        "balance": "Balance ({name})",
        "yoy": "Bilateral trade, year on year",
        "share_reporter": "Share of {name}'s total trade",
        "share_partner": "Share of {name}'s total trade",
        "rank": "{partner}'s rank among {provider}'s partners",
        "streak": "Consecutive years ranked first",
        "cagr": "Average annual growth since {since}",
        "chart_trend": "{provider}'s trade with {partner}, {first}–{last} (US$ billion)",
        "chart_trend_caption": "Exports and imports as {provider} declares them; the lower "
                               "panel shows {partner}'s rank among {provider}'s trading partners.",
        "chart_ranking": "{provider}'s largest trading partners, {year} (US$ billion)",
        "chart_ranking_caption": "Total trade (exports + imports); {blocs} counted as one "
                                 "partner each, with their membership in {year}. Labels: share "
                                 "of {provider}'s total trade.",
        "chart_shares": "Shares of {provider}'s total trade, {first}–{last} (%)",
        "chart_shares_caption": "The five largest partners of {year}, year by year.",
        "exports": "Exports",
        "imports": "Imports",
        "total": "Total",
        "rank_axis": "Rank",
        "share_axis": "Share (%)",
        "usd_bn": "US$ billion",
        "year": "Year",
        "hosts_intro": "Host countries: {hosts} (members of {partner} in {year}). For each, the "
                       "top cooperation areas for {provider} as capacity provider, scored by "
                       "capcoop's opportunity engine (scenario {scenario}); the main drivers are "
                       "the components that contributed most to the score.",
        "host_one_intro": "Top cooperation areas for {provider} as capacity provider in "
                          "{partner}, scored by capcoop's opportunity engine (scenario "
                          "{scenario}); the main drivers are the components that contributed "
                          "most to the score.",
        "area": "Area",
        "score": "Score",
        "drivers": "Main drivers",
        "tags": "Priorities",
        "rank_col": "#",
        "opp_missing": "Not available: this installation of capcoop has no opportunity engine "
                       "(capcoop.services.opportunities). Install a version that includes it, "
                       "then rebuild the brief.",
        "opp_failed": "Not available for {host}: {reason}",
        "opp_year_note": "Sector data for {year} are not available; figures use {used}.",
        "dep_missing": "Not available: this installation of capcoop has no dependency screen "
                       "(capcoop.services.dependencies). Install a version that includes it, "
                       "then rebuild the brief.",
        "dep_intro": "Products for which {importer} depends most on few suppliers ({year}), "
                     "from the dependency screen: supplier concentration, the top supplier "
                     "and its share.",
        "dep_failed": "Not available for {importer}: {reason}",
        "dep_totals_only": "The warehouse holds only total trade, so the screen covers all "
                           "goods together; product detail needs product-level trade (CEPII "
                           "BACI or UN Comtrade HS files, `capcoop ingest baci FILE`).",
        "dep_product": "Product",
        "dep_imports": "Imports",
        "dep_top": "Top supplier (share)",
        "dep_second": "Second supplier",
        "dep_hhi": "HHI",
        "dep_subst": "Substitutability",
        "dep_criteria": "Criteria met",
        "dep_flags": "Flags",
        "dep_load": "Load product-level trade (CEPII BACI or UN Comtrade HS files) with "
                    "`capcoop ingest baci FILE` or `capcoop ingest comtrade FILE`.",
        "sup_missing": "Not available: this installation of capcoop has no critical-supplies "
                       "ledger (capcoop.services.supplies).",
        "sup_intro": "Vaccine supplies and coverage in {region} as of {date} (latest data in "
                     "the critical-supplies ledger), per 100 people.",
        "sup_country": "Country",
        "sup_date": "Data date",
        "sup_secured": "Doses secured",
        "sup_delivered": "Doses delivered",
        "sup_vaccinated": "People vaccinated",
        "sup_full": "Fully vaccinated",
        "sup_donated": "Donated (% of delivered)",
        "sup_failed": "Not available for {region}: {reason}",
        "sup_load": "Load the vaccine ledger (UNDP/WHO vaccine data) with `capcoop ingest`.",
        "src_intro": "Every figure in this brief was computed by capcoop from the warehouse "
                     "'{warehouse}'. The loads below are the files it holds, with their checksums.",
        "src_loads": "Loads in the warehouse",
        "src_attribution": "Sources and licences",
        "src_caveats": "Caveats",
        "src_service_notes": "Notes on the figures",
        "load_id": "Load",
        "source": "Source",
        "file": "File",
        "table": "Table",
        "rows": "Rows",
        "sha256": "SHA-256",
        "loaded_at": "Loaded",
        "publisher": "Publisher",
        "licence": "Licence / terms",
        "cif_fob": "Reported and mirror figures differ.",
        "no_loads": "The warehouse records no loads.",
        "fn_source": "Source: {title} ({source}), table {table}, {basis} basis, {kind} data.",
        "fn_rows": "{rows} stored rows from load {loads}: {files}.",
        "fn_history": "Ranking history over {n} years computed from the same table.",
        "fn_facts": "Figures",
        "fn_call": "Computed by capcoop.services.monitor.{call}({args}).",
        "kind_A": "annual",
        "kind_M": "monthly",
        "font_missing": "No font with Chinese glyphs was found, so Chinese text in the charts "
                        "and the PDF may show as boxes. Install the Debian package "
                        "fonts-wqy-microhei (apt-get install fonts-wqy-microhei) and build the "
                        "brief again.",
        "pdf_missing": "The PDF was not written: {reason}",
        "page": "Page",
        "unavailable": "not available",
    },
    "zh": {
        "title": "{provider}—{partner}产能合作简报（{year}年）",
        "kicker": "capcoop · 国际产能合作简报",
        "generated": "生成日期",
        "warehouse": "数据仓库",
        "parameters": "参数",
        "params_value": "合作提供方{provider}，伙伴{partner}，年份{year}，语言中文",
        "demo_label": "演示数据：根据capcoop内置示例数据仓库（国际货币基金组织、世界银行、亚洲开发银行、"
                      "世界贸易组织、WIOD、国家统计局/经合组织、美国环保署和联合国开发计划署数据摘录，"
                      "详见数据来源一节）计算。如需最新数据，请加载自己的数据。",
        "contents": "目录",
        "s_headlines": "要点",
        "s_trade": "贸易走势与贸易伙伴排名",
        "s_opportunities": "各东道国的合作领域",
        "s_dependencies": "主要供应依赖",
        "s_supplies": "关键物资",
        "s_sources": "数据来源与说明",
        "s_notes": "注释",
        "key_figures": "主要数据（{period}）",
        "figure": "图",
        "metric": "指标",
        "value": "数值",
        "exports_of": "{name}对{other}出口",
        "imports_of": "{name}自{other}进口",
        "total_trade": "双边贸易额",
        "balance": "贸易差额（{name}）",
        "yoy": "双边贸易额同比",
        "share_reporter": "占{name}对外贸易总额比重",
        "share_partner": "占{name}对外贸易总额比重",
        "rank": "{partner}在{provider}贸易伙伴中的位次",
        "streak": "连续位居第一的年数",
        "cagr": "{since}年以来年均增长率",
        "chart_trend": "{provider}与{partner}贸易额，{first}—{last}年（十亿美元）",
        "chart_trend_caption": "{provider}申报的出口和进口；下图为{partner}在{provider}贸易伙伴中的位次。",
        "chart_ranking": "{provider}主要贸易伙伴，{year}年（十亿美元）",
        "chart_ranking_caption": "贸易总额（出口＋进口）；{blocs}各按一个伙伴计算，成员以{year}年为准。"
                                 "标注为占{provider}对外贸易总额的比重。",
        "chart_shares": "占{provider}对外贸易总额的比重，{first}—{last}年（%）",
        "chart_shares_caption": "{year}年前五大贸易伙伴的逐年比重。",
        "exports": "出口",
        "imports": "进口",
        "total": "合计",
        "rank_axis": "位次",
        "share_axis": "比重（%）",
        "usd_bn": "十亿美元",
        "year": "年份",
        "hosts_intro": "东道国：{hosts}（{year}年{partner}成员）。以下为{provider}作为产能提供方在各国的"
                       "重点合作领域，由capcoop合作机会模型评分（情景：{scenario}）；主要因素为对得分贡献最大的分项。",
        "host_one_intro": "{provider}作为产能提供方在{partner}的重点合作领域，由capcoop合作机会模型评分"
                          "（情景：{scenario}）；主要因素为对得分贡献最大的分项。",
        "area": "领域",
        "score": "得分",
        "drivers": "主要因素",
        "tags": "优先方向",
        "rank_col": "序号",
        "opp_missing": "暂无：当前安装的capcoop不含合作机会模型（capcoop.services.opportunities）。"
                       "请安装包含该模型的版本后重新生成简报。",
        "opp_failed": "{host}暂无结果：{reason}",
        "opp_year_note": "{year}年的部门数据不可用，改用{used}。",
        "dep_missing": "暂无：当前安装的capcoop不含供应依赖筛查（capcoop.services.dependencies）。"
                       "请安装包含该功能的版本后重新生成简报。",
        "dep_intro": "{importer}供应来源最集中的产品（{year}年），来自供应依赖筛查：供应商集中度、"
                     "第一大供应方及其份额。",
        "dep_failed": "{importer}暂无结果：{reason}",
        "dep_totals_only": "数据仓库仅有贸易总额，因此筛查针对全部货物；如需分产品结果，请加载产品层面的贸易数据"
                           "（CEPII BACI或联合国商品贸易统计HS文件，`capcoop ingest baci FILE`）。",
        "dep_product": "产品",
        "dep_imports": "进口额",
        "dep_top": "第一大供应方（份额）",
        "dep_second": "第二大供应方",
        "dep_hhi": "赫芬达尔指数",
        "dep_subst": "可替代性",
        "dep_criteria": "满足标准数",
        "dep_flags": "标记",
        "dep_load": "请用 `capcoop ingest baci FILE` 或 `capcoop ingest comtrade FILE` "
                    "加载产品层面的贸易数据（CEPII BACI或联合国商品贸易统计HS文件）。",
        "sup_missing": "暂无：当前安装的capcoop不含关键物资台账（capcoop.services.supplies）。",
        "sup_intro": "{region}疫苗供应与接种覆盖情况（截至{date}，关键物资台账最新数据），按每百人计。",
        "sup_country": "国家",
        "sup_date": "数据日期",
        "sup_secured": "已获得剂次",
        "sup_delivered": "已交付剂次",
        "sup_vaccinated": "已接种人数",
        "sup_full": "完成全程接种",
        "sup_donated": "捐赠剂次（占交付%）",
        "sup_failed": "{region}暂无结果：{reason}",
        "sup_load": "请用 `capcoop ingest` 加载疫苗台账数据（联合国开发计划署/世界卫生组织疫苗数据）。",
        "src_intro": "本简报所有数据均由capcoop根据数据仓库“{warehouse}”计算。下表列出仓库中已加载的"
                     "文件及其校验值。",
        "src_loads": "数据仓库中的加载记录",
        "src_attribution": "数据来源与许可",
        "src_caveats": "说明",
        "src_service_notes": "数据注释",
        "load_id": "批次",
        "source": "来源",
        "file": "文件",
        "table": "表",
        "rows": "行数",
        "sha256": "SHA-256",
        "loaded_at": "加载时间",
        "publisher": "发布机构",
        "licence": "许可/条款",
        "cif_fob": "申报数据与镜像数据存在差异。",
        "no_loads": "数据仓库中没有加载记录。",
        "fn_source": "来源：{title}（{source}），表{table}，{basis}口径，{kind}数据。",
        "fn_rows": "共{rows}行存储数据，加载批次{loads}：{files}。",
        "fn_history": "根据同一张表计算的{n}年排名记录。",
        "fn_facts": "数据",
        "fn_call": "由 capcoop.services.monitor.{call}({args}) 计算。",
        "kind_A": "年度",
        "kind_M": "月度",
        "font_missing": "未找到含中文字形的字体，图表和PDF中的中文可能显示为方框。请安装Debian软件包"
                        "fonts-wqy-microhei（apt-get install fonts-wqy-microhei）后重新生成简报。",
        "pdf_missing": "未生成PDF：{reason}",
        "page": "页",
        "unavailable": "无数据",
    },
}

#: Names of the opportunity engine's score components and of headline facts.
_TERMS: dict[str, dict[str, str]] = {
    "en": {
        "capacity": "provider capacity", "demand": "host demand",
        "stage_fit": "development-stage fit", "environment": "environmental cost",
        "strategic": "strategic priority", "ict_digital": "ICT / digital economy",
        "eu_critical": "EU: critical", "eu_dependent": "EU: dependent",
        "cepii_dependent": "CEPII: dependent",
        "partner_rank": "partner's rank", "other_partner_total": "other partner's trade",
        "rank1_streak_years": "years ranked first", "total": "bilateral trade",
        "total_yoy_pct": "year-on-year change", "share_of_reporter_total_pct": "share",
        "reverse_rank1_streak_years": "years ranked first by the partner",
    },
    "zh": {
        "ict_digital": "信息通信/数字经济", "eu_critical": "欧盟标准：关键",
        "eu_dependent": "欧盟标准：依赖", "cepii_dependent": "CEPII标准：依赖",
        "medical": "医疗物资", "All goods": "全部货物",
        "provider_capacity": "提供方产能", "capacity": "提供方产能", "host_demand": "东道国需求",
        "demand": "东道国需求", "complementarity": "互补性", "feasibility": "可行性",
        "development_fit": "发展阶段匹配", "development_stage": "发展阶段匹配",
        "stage_fit": "发展阶段匹配", "environmental_cost": "环境成本", "environment": "环境成本",
        "strategic_priority": "战略优先", "strategic": "战略优先", "infrastructure": "基础设施需求",
        "energy_conservation": "节能", "environmental_protection": "环保",
        "renewable_energy": "可再生能源", "ict": "信息通信/数字经济", "digital": "数字经济",
        "partner_rank": "伙伴位次", "other_partner_total": "另一伙伴贸易额",
        "difference": "差额", "rank1_streak_years": "连续第一年数", "total": "双边贸易额",
        "total_yoy_pct": "同比增长率", "share_of_reporter_total_pct": "占比",
        "reverse_rank1_streak_years": "对方连续第一年数",
    },
}


def check_lang(lang: str) -> str:
    """``lang`` if it is ``en`` or ``zh``; else an :class:`~capcoop.errors.InputError`."""
    if lang not in LANGUAGES:
        from capcoop.errors import InputError

        raise InputError(f"unknown language {lang!r}", hint="use --lang en or --lang zh")
    return lang


def text(key: str, lang: str = "en", **fields: Any) -> str:
    """The brief's string ``key`` in ``lang`` with ``fields`` filled in."""
    return STRINGS[check_lang(lang)][key].format(**fields)


def labels(lang: str = "en") -> dict[str, str]:
    """Every fixed string of ``lang`` (for templates)."""
    return dict(STRINGS[check_lang(lang)])


def term(name: str, lang: str = "en") -> str:
    """A component, tag or fact name for people: translated in Chinese, spaced out in English."""
    return _TERMS.get(lang, {}).get(name) or name.replace("_", " ")
