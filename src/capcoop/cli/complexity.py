"""Commands ``capcoop complexity`` and ``capcoop indicators ...`` over any CSV/Parquet file or
the warehouse: parse the options, call one service function, render the table."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit_rows, stderr, stdout, to_json

if TYPE_CHECKING:
    from capcoop.services.complexity import Columns, IndicatorOptions, TableReport, WarehouseQuery


class _LazyService:
    """The complexity service, imported on first use: numpy/scipy/pandas load only when needed,
    so unrelated commands start fast."""

    def __getattr__(self, name: str) -> Any:
        from capcoop.services import complexity

        return getattr(complexity, name)


service = _LazyService()

__all__ = ["register_complexity_commands", "indicators_app"]

indicators_app = typer.Typer(
    help="Trade indicators (RCA, HHI, diversification, similarity, complementarity, "
         "intra-industry trade, intensity, market shares, PRODY/EXPY) of a file or the "
         "warehouse.", no_args_is_help=True)


class Level(StrEnum):
    """Which rows ``capcoop complexity`` prints or writes."""

    cell = "cell"
    location = "location"
    product = "product"


class Proximity(StrEnum):
    symmetric = "symmetric"
    asymmetric = "asymmetric"
    continuous = "continuous"


class Convention(StrEnum):
    stata = "stata"
    py_ecomplexity = "py-ecomplexity"


class Missing(StrEnum):
    raise_ = "raise"
    zero = "zero"


class Variant(StrEnum):
    balassa = "balassa"
    symmetric = "symmetric"
    continuous = "continuous"


class Join(StrEnum):
    strict = "strict"
    inner = "inner"
    outer = "outer"


INPUT = typer.Option(None, "--input", "-i", help="A .csv(.gz) or .parquet file of long rows "
                     "(default: the warehouse's country_product_exports).")
TIME = typer.Option(None, "--time-col", help="Time column; omit for a single period.")
LOCATION = typer.Option("location", "--location-col", help="Location (country) column.")
PRODUCT = typer.Option("product", "--product-col", help="Product column.")
VALUE = typer.Option("value", "--value-col", help="Value column (exports, US$).")
YEAR = typer.Option(None, "--year", help="Warehouse: year (default: the latest).")
CLASSIFICATION = typer.Option(None, "--classification",
                              help="Warehouse: product classification, e.g. HS92.")
SOURCE = typer.Option(None, "--source", help="Warehouse: source, e.g. export-matrix.")
DIGITS = typer.Option(None, "--digits", help="Warehouse: aggregate products to N digits.")
MISSING = typer.Option(Missing.raise_, "--missing",
                       help="Missing values: 'raise' (default) or 'zero' (no exports).")
OUTPUT = typer.Option(None, "--output", "-o", help="Write the table to .csv(.gz) or .parquet.")
FORMAT = typer.Option(OutputFormat.table, "--format", help="table, json or csv.")
LIMIT = typer.Option(30, "--limit", help="Rows shown in a terminal table.")
LOCATIONS = typer.Option(None, "--locations", help="Only these locations, comma separated.")
JOIN = typer.Option(Join.strict, "--join", help="Labels the two inputs do not share: 'strict' "
                    "(error), 'inner' (drop) or 'outer' (zero trade).")


RCA_THRESHOLD = typer.Option(1.0, "--rca-threshold",
                             help="M = 1 where RCA is above this (strictly, as Stata).")
PROXIMITY = typer.Option(Proximity.symmetric, "--proximity",
                         help="symmetric, asymmetric or continuous.")
CONVENTION = typer.Option(Convention.stata, "--convention",
                          help="stata (the Atlas) or py-ecomplexity (pip ecomplexity 0.5.3).")
VALUE_IS_PRESENCE = typer.Option(False, "--value-is-presence",
                                 help="The value column already is M (0/1).")
LEVEL = typer.Option(Level.cell, "--level",
                     help="Rows: cell (location × product), location or product.")
VARIANT = typer.Option(Variant.balassa, "--variant", help="balassa, symmetric or continuous.")
CATEGORY = typer.Option("product", "--product-col", help="Product column, or the partner "
                        "column for concentration by partner.")
CATEGORIES = typer.Option(None, "--categories", help="N of the normalised index (default: "
                          "the number of products/partners in the data).")
EXPORTS_INPUT = typer.Option(..., "--input", "-i", help="Exports by location × product.")
IMPORTS = typer.Option(..., "--imports", help="Imports by location × product, same columns.")
BY_PRODUCT = typer.Option(False, "--by-product", help="One index per product.")
BILATERAL_INPUT = typer.Option(..., "--input", "-i", help="Exports by exporter × partner.")
EXPORTER = typer.Option("reporter", "--location-col", help="Exporter column.")
PARTNER = typer.Option("partner", "--product-col", help="Partner column.")
GDP = typer.Option(None, "--gdp", help="GDP per capita file: the location column (same "
                   "name), optionally the time column, and --gdp-col.")
GDP_COL = typer.Option("gdp_pc", "--gdp-col", help="GDP per capita column of --gdp.")
GDP_INDICATOR = typer.Option("NY.GDP.PCAP.PP.CD", "--gdp-indicator",  # = service default
                             help="Warehouse: WDI indicator of GDP per capita.")


def _columns(time: str | None, location: str, product: str, value: str) -> Columns:
    return service.Columns(location=location, product=product, value=value, time=time)


def _query(year, classification, source, digits) -> WarehouseQuery:
    return service.WarehouseQuery(year=year, classification=classification, source=source,
                          digits=digits, warehouse=state.warehouse)


def _render(report: TableReport, fmt: OutputFormat, output: Path | None, limit: int,
            title: str) -> None:
    for note in report.excluded.itertuples():
        where = f"{note.time}: " if note.time is not None and note.kind != "note" else ""
        text = note.label if note.kind == "note" else f"{where}{note.kind} {note.label!r} " \
                                                      "left out (zero total)"
        stderr.print(f"[yellow]note:[/] {text}", highlight=False, soft_wrap=True)
    from_warehouse = "warehouse" in report.provenance.get("provenance", {})
    caption = f"{'warehouse' if from_warehouse else 'input'}: {report.origin}"
    if report.is_demo:
        stderr.print("[yellow]note:[/] computed from the embedded demo warehouse (sample data)",
                     highlight=False, soft_wrap=True)
    if output is not None:
        service.write_table(report.table, output)
        summary = report.summary() | {"output": str(output)}
        if fmt is OutputFormat.json:
            sys.stdout.write(to_json(summary) + "\n")
        else:
            stdout.print(f"{title}: wrote {len(report.table):,} rows to {output} ({caption})",
                         highlight=False, soft_wrap=True)
        return
    frame = report.table
    if fmt is OutputFormat.csv:
        sys.stdout.write(frame.to_csv(index=False, float_format="%.17g"))
    elif fmt is OutputFormat.json:
        emit_rows(_records(frame), fmt)
    else:
        shown = frame.head(limit)
        more = f"; first {len(shown):,} of {len(frame):,} rows (--output or --format csv for " \
               "all)" if len(frame) > len(shown) else ""
        emit_rows(_records(shown.round(6)), fmt, title=title, caption=caption + more)


def _records(frame) -> list[dict[str, Any]]:
    return frame.astype({c: "object" for c in frame.select_dtypes("category").columns}).to_dict(
        "records")


def _level(report: TableReport, level: Level, columns: Columns) -> TableReport:
    if level is Level.cell:
        return report
    key = columns.location if level is Level.location else columns.product
    keep = ["diversity", "eci", "coi"] if level is Level.location else ["ubiquity", "pci"]
    keys = [c for c in (columns.time, key) if c]
    table = report.table[keys + keep].drop_duplicates(keys).reset_index(drop=True)
    if level is Level.location:
        table = table.sort_values(keys[:-1] + ["eci"], ascending=[True] * (len(keys) - 1) +
                                  [False], kind="stable").reset_index(drop=True)
    return service.TableReport(table, report.origin, report.is_demo, report.excluded, report.provenance)


def complexity_command(
    input: Path | None = INPUT,
    time_col: str | None = TIME,
    location_col: str = LOCATION,
    product_col: str = PRODUCT,
    value_col: str = VALUE,
    rca_threshold: float = RCA_THRESHOLD,
    proximity: Proximity = PROXIMITY,
    convention: Convention = CONVENTION,
    value_is_presence: bool = VALUE_IS_PRESENCE,
    missing: Missing = MISSING,
    level: Level = LEVEL,
    year: int | None = YEAR,
    classification: str | None = CLASSIFICATION,
    source: str | None = SOURCE,
    digits: int | None = DIGITS,
    output: Path | None = OUTPUT,
    fmt: OutputFormat = FORMAT,
    limit: int = LIMIT,
) -> None:
    """Economic complexity (RCA, M, ECI, PCI, density, COI, COG) of a file or the warehouse.

    One row per (time, location, product) with rca, mcp, eci, pci, diversity, ubiquity,
    density, coi and cog; Stata ecomplexity's definitions (see docs/methods/complexity.md).

    Example: capcoop complexity --input trade.csv --time-col year --location-col origin --product-col hs92 --value-col export_val --output out.csv
    """
    options = dict(rca_threshold=rca_threshold, proximity=proximity.value,
                   convention=convention.value, missing=missing.value,
                   value_is_presence=value_is_presence)
    if input is not None:
        columns = _columns(time_col, location_col, product_col, value_col)
        report = service.complexity_from_file(input, columns, **options)
    else:
        columns = service.Columns(location="country", product="product", value="export_usd",
                          time="year")
        report = service.complexity_from_warehouse(
            _query(year, classification, source, digits), **options)
    _render(_level(report, level, columns), fmt, output, limit, "capcoop complexity")


def _indicator(kind: str, input: Path | None, columns: Columns, options: IndicatorOptions,
               query: WarehouseQuery, output, fmt, limit, **files: Any) -> None:
    if input is not None:
        report = service.indicator_from_file(kind, input, columns, options=options, **files)
    else:
        extra = {"gdp_indicator": files["gdp_indicator"]} if "gdp_indicator" in files else {}
        report = service.indicator_from_warehouse(kind, query, options=options, **extra)
    _render(report, fmt, output, limit, f"capcoop indicators {kind}")


def _join(join: Join) -> str | None:
    return None if join is Join.strict else join.value


@indicators_app.command("rca")
def rca_command(input: Path | None = INPUT, time_col: str | None = TIME,
                location_col: str = LOCATION, product_col: str = PRODUCT,
                value_col: str = VALUE,
                variant: Variant = VARIANT,
                missing: Missing = MISSING, year: int | None = YEAR,
                classification: str | None = CLASSIFICATION, source: str | None = SOURCE,
                digits: int | None = DIGITS, output: Path | None = OUTPUT,
                fmt: OutputFormat = FORMAT, limit: int = LIMIT) -> None:
    """Revealed comparative advantage (Balassa; symmetric; RCA/(1+RCA)) per location × product.

    Example: capcoop indicators rca --input trade.csv --location-col origin --product-col hs92 --value-col export_val --variant symmetric
    """
    _indicator("rca", input, _columns(time_col, location_col, product_col, value_col),
               service.IndicatorOptions(variant=variant.value, missing=missing.value),
               _query(year, classification, source, digits), output, fmt, limit)


@indicators_app.command("market-share")
def market_share_command(input: Path | None = INPUT, time_col: str | None = TIME,
                         location_col: str = LOCATION, product_col: str = PRODUCT,
                         value_col: str = VALUE, missing: Missing = MISSING,
                         year: int | None = YEAR,
                         classification: str | None = CLASSIFICATION,
                         source: str | None = SOURCE, digits: int | None = DIGITS,
                         output: Path | None = OUTPUT, fmt: OutputFormat = FORMAT,
                         limit: int = LIMIT) -> None:
    """Share of each location in world exports of each product, and of each product in its exports.

    Example: capcoop indicators market-share --year 2016 --classification HS92 --format csv
    """
    _indicator("market-share", input, _columns(time_col, location_col, product_col, value_col),
               service.IndicatorOptions(missing=missing.value),
               _query(year, classification, source, digits), output, fmt, limit)


@indicators_app.command("hhi")
def hhi_command(input: Path | None = INPUT, time_col: str | None = TIME,
                location_col: str = LOCATION,
                product_col: str = CATEGORY,
                value_col: str = VALUE,
                categories: int | None = CATEGORIES,
                missing: Missing = MISSING, year: int | None = YEAR,
                classification: str | None = CLASSIFICATION, source: str | None = SOURCE,
                digits: int | None = DIGITS, output: Path | None = OUTPUT,
                fmt: OutputFormat = FORMAT, limit: int = LIMIT) -> None:
    """Herfindahl–Hirschman concentration of exports or imports by product or by partner.

    Example: capcoop indicators hhi --input imports.csv --location-col reporter --product-col partner --value-col value_usd
    """
    _indicator("hhi", input, _columns(time_col, location_col, product_col, value_col),
               service.IndicatorOptions(n_categories=categories, missing=missing.value),
               _query(year, classification, source, digits), output, fmt, limit)


@indicators_app.command("diversification")
def diversification_command(input: Path | None = INPUT, time_col: str | None = TIME,
                            location_col: str = LOCATION, product_col: str = PRODUCT,
                            value_col: str = VALUE,
                            categories: int | None = CATEGORIES,
                            missing: Missing = MISSING, year: int | None = YEAR,
                            classification: str | None = CLASSIFICATION,
                            source: str | None = SOURCE, digits: int | None = DIGITS,
                            output: Path | None = OUTPUT, fmt: OutputFormat = FORMAT,
                            limit: int = LIMIT) -> None:
    """Export diversification: products exported and the entropy of the export basket.

    Example: capcoop indicators diversification --year 2016 --classification HS92
    """
    _indicator("diversification", input,
               _columns(time_col, location_col, product_col, value_col),
               service.IndicatorOptions(n_categories=categories, missing=missing.value),
               _query(year, classification, source, digits), output, fmt, limit)


@indicators_app.command("similarity")
def similarity_command(input: Path | None = INPUT, time_col: str | None = TIME,
                       location_col: str = LOCATION, product_col: str = PRODUCT,
                       value_col: str = VALUE, locations: str | None = LOCATIONS,
                       missing: Missing = MISSING, year: int | None = YEAR,
                       classification: str | None = CLASSIFICATION,
                       source: str | None = SOURCE, digits: int | None = DIGITS,
                       output: Path | None = OUTPUT, fmt: OutputFormat = FORMAT,
                       limit: int = LIMIT) -> None:
    """Finger–Kreinin export similarity (0–100) between locations.

    Example: capcoop indicators similarity --year 2016 --classification HS92 --locations CHN,VNM,THA
    """
    _indicator("similarity", input, _columns(time_col, location_col, product_col, value_col),
               service.IndicatorOptions(locations=_split(locations), missing=missing.value),
               _query(year, classification, source, digits), output, fmt, limit)


@indicators_app.command("complementarity")
def complementarity_command(input: Path = EXPORTS_INPUT,
                            imports: Path = IMPORTS,
                            time_col: str | None = TIME, location_col: str = LOCATION,
                            product_col: str = PRODUCT, value_col: str = VALUE,
                            locations: str | None = LOCATIONS, join: Join = JOIN,
                            missing: Missing = MISSING, output: Path | None = OUTPUT,
                            fmt: OutputFormat = FORMAT, limit: int = LIMIT) -> None:
    """Trade complementarity index (0–100) of each exporter with each importer (Michaely/WITS).

    Example: capcoop indicators complementarity --input exports.csv --imports imports.csv --location-col reporter --product-col hs6 --value-col value --locations CHN
    """
    _indicator("complementarity", input, _columns(time_col, location_col, product_col,
                                                  value_col),
               service.IndicatorOptions(locations=_split(locations), join=_join(join),
                                missing=missing.value), _query(None, None, None, None),
               output, fmt, limit, imports=imports)


@indicators_app.command("intra-industry")
def intra_industry_command(input: Path = EXPORTS_INPUT,
                           imports: Path = IMPORTS,
                           time_col: str | None = TIME, location_col: str = LOCATION,
                           product_col: str = PRODUCT, value_col: str = VALUE,
                           by_product: bool = BY_PRODUCT,
                           join: Join = JOIN, missing: Missing = MISSING,
                           output: Path | None = OUTPUT, fmt: OutputFormat = FORMAT,
                           limit: int = LIMIT) -> None:
    """Grubel–Lloyd intra-industry trade index (0–1), aggregated or by product.

    Example: capcoop indicators intra-industry --input exports.csv --imports imports.csv --location-col reporter --product-col hs4 --value-col value --by-product
    """
    _indicator("intra-industry", input, _columns(time_col, location_col, product_col,
                                                 value_col),
               service.IndicatorOptions(by_product=by_product, join=_join(join),
                                missing=missing.value), _query(None, None, None, None),
               output, fmt, limit, imports=imports)


@indicators_app.command("intensity")
def intensity_command(input: Path = BILATERAL_INPUT,
                      time_col: str | None = TIME,
                      location_col: str = EXPORTER,
                      product_col: str = PARTNER,
                      value_col: str = VALUE, missing: Missing = MISSING,
                      output: Path | None = OUTPUT, fmt: OutputFormat = FORMAT,
                      limit: int = LIMIT) -> None:
    """Trade intensity index of each exporter towards each partner (1 = world average).

    Example: capcoop indicators intensity --input bilateral.csv --time-col year --location-col reporter --product-col partner --value-col exports_usd
    """
    _indicator("intensity", input, _columns(time_col, location_col, product_col, value_col),
               service.IndicatorOptions(missing=missing.value), _query(None, None, None, None),
               output, fmt, limit)


def _income_command(kind: str):
    def command(input: Path | None = INPUT, time_col: str | None = TIME,
                location_col: str = LOCATION, product_col: str = PRODUCT,
                value_col: str = VALUE,
                gdp: Path | None = GDP,
                gdp_col: str = GDP_COL,
                gdp_indicator: str = GDP_INDICATOR,
                join: Join = JOIN, missing: Missing = MISSING, year: int | None = YEAR,
                classification: str | None = CLASSIFICATION,
                source: str | None = SOURCE, digits: int | None = DIGITS,
                output: Path | None = OUTPUT, fmt: OutputFormat = FORMAT,
                limit: int = LIMIT) -> None:
        files: dict[str, Any] = ({"gdp": gdp, "gdp_column": gdp_col} if input is not None
                                 else {"gdp_indicator": gdp_indicator})
        _indicator(kind, input, _columns(time_col, location_col, product_col, value_col),
                   service.IndicatorOptions(join=_join(join), missing=missing.value),
                   _query(year, classification, source, digits), output, fmt, limit, **files)

    command.__doc__ = _INCOME_HELP[kind]
    return command


_INCOME_HELP = {
    "prody": """PRODY: the income level of each product (Hausmann, Hwang & Rodrik 2007).

    Example: capcoop indicators prody --input trade.csv --location-col iso3 --product-col hs4 --value-col exports --gdp gdp.csv --gdp-col gdp_pc --join inner
    """,
    "expy": """EXPY: the income level of each location's export basket (Hausmann, Hwang & Rodrik 2007).

    Example: capcoop indicators expy --year 2016 --classification HS92 --gdp-indicator NY.GDP.PCAP.PP.CD --join inner
    """,
}
indicators_app.command("prody")(_income_command("prody"))
indicators_app.command("expy")(_income_command("expy"))


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip()) if text else ()


def register_complexity_commands(app: typer.Typer) -> None:
    """Attach ``complexity`` and the ``indicators`` group to the root app."""
    app.command("complexity")(complexity_command)
    app.add_typer(indicators_app, name="indicators")
