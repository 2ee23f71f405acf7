"""Commands that browse the reference codes: countries, blocs, products, sectors."""

from __future__ import annotations

import typer

from capcoop.cli.render import OutputFormat, emit_rows

__all__ = ["codes_app"]

# Services are imported inside each command so that `capcoop --help` and unrelated commands start
# fast (the reference tables load pandas and package data).

codes_app = typer.Typer(help="Browse reference codes: countries, blocs, products, sectors.",
                        no_args_is_help=True)
FORMAT = typer.Option(OutputFormat.table, "--format", help="table, json or csv.")


@codes_app.command("countries")
def countries_command(
    code: str | None = typer.Argument(None, help="Any code or name: VNM, VN, 704, 'Viet Nam', 越南."),
    search: str | None = typer.Option(None, "--search", help="Find countries by part of a code or name."),
    limit: int = typer.Option(10, "--limit", help="Most matches to show with --search."),
    aggregates: bool = typer.Option(False, "--aggregates", help="Also list aggregates and historical entities."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Look up countries by ISO3/ISO2/M49/BACI code or English/Chinese/IMF/Comtrade name.

    Example: capcoop codes countries --search viet
    """
    from capcoop.services.reference import country_records

    rows = country_records(search, code=code, limit=limit, include_aggregates=aggregates)
    emit_rows(rows, fmt, title="Countries")


@codes_app.command("blocs")
def blocs_command(
    name: str | None = typer.Argument(None, help="Bloc: ASEAN, EU, RCEP, ASEAN+3 or a user bloc."),
    year: int | None = typer.Option(None, "--year", help="Only members for this year."),
    month: int | None = typer.Option(None, "--month", help="With --year: only members for this month."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """List blocs, or one bloc's members with the dates they joined and left.

    A country counts as a member for a year or month iff it is a member on its last day.

    Example: capcoop codes blocs ASEAN --format json
    """
    from capcoop.services.reference import bloc_member_records, bloc_records

    if name is None:
        emit_rows(bloc_records(), fmt, title="Blocs")
        return
    emit_rows(bloc_member_records(name, year=year, month=month), fmt, title=f"{name} members")


@codes_app.command("products")
def products_command(
    code: str | None = typer.Argument(None, help="HS code at 2, 4 or 6 digits, e.g. 300220."),
    search: str | None = typer.Option(None, "--search", help="Find products by description."),
    revision: str = typer.Option("HS17", "--revision", help="HS92, HS17 or HS22."),
    level: int | None = typer.Option(None, "--level", help="List every code at 2, 4 or 6 digits."),
    limit: int = typer.Option(20, "--limit", help="Most matches to show with --search."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Look up HS products: descriptions and sections, by code or by words.

    Example: capcoop codes products --search vaccine --revision HS22
    """
    from capcoop.services.reference import product_records

    rows = product_records(code, search=search, revision=revision, level=level or (2 if not (code or search) else None),
                           limit=limit)
    emit_rows(rows, fmt, title=f"{revision} products")


@codes_app.command("sectors")
def sectors_command(
    name: str | None = typer.Argument(None, help="A sector code such as steel or medical."),
    revision: str = typer.Option("HS17", "--revision", help="HS revision for the product list."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The cooperation-sector taxonomy, or one sector's HS 6-digit products.

    Example: capcoop codes sectors renewables
    """
    from capcoop.services.reference import sector_product_records, sector_records

    if name is None:
        emit_rows(sector_records(), fmt, title="Cooperation sectors")
        return
    emit_rows(sector_product_records(name, revision=revision), fmt, title=f"Sector {name}")
