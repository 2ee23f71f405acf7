"""The warehouse schema: canonical tables and recorded, versioned migrations.

Each migration is a numbered list of DDL statements. ``schema_migrations`` records which ones a
warehouse file has; :func:`migrate` applies the missing ones in one transaction. Add a migration
at the end of :data:`MIGRATIONS`; never edit one that has shipped.

Canonical tables (money in current US$, codes as strings):

``trade_flows``
    One row per (source, basis, freq, year, month, reporter, partner, flow, classification, product).
    ``flow`` is ``X`` (reporter's exports) or ``M`` (reporter's imports); ``basis`` is ``reported``
    (declared by the reporter), ``mirror`` (derived from the partner's declarations) or
    ``reconciled`` (a harmonised source such as BACI). ``freq`` is ``A`` (annual, ``month`` NULL)
    or ``M``. ``product`` is ``TOTAL`` with ``classification`` ``TOTAL`` for all goods.
    ``value_usd`` is current US$; a source that publishes in another currency (SingStat: S$)
    keeps its figure in ``value_local`` with ``currency`` and leaves ``value_usd`` NULL until a
    documented conversion fills it. ``estimate`` flags publisher estimates (IMF " e" cells).
``country_product_exports``
    A country × product export matrix (e.g. the Atlas's and Open Trade Statistics' HS4 data).
``sector_accounts``
    Country × sector × year accounts in long form (output, value added, exports ...).
``country_indicators`` / ``indicator_definitions``
    Long country × indicator × year values (e.g. WDI) and each indicator's name and unit.
``country_classifications``
    Categorical attributes by year (e.g. World Bank income group).
``ref_countries`` / ``ref_bloc_memberships`` / ``ref_cooperation_sectors``
    Copies of the reference codes (:mod:`capcoop.codes`) for joins in SQL, rewritten by
    :func:`capcoop.warehouse.reference.refresh_reference_tables`.
``code_attributes``
    Numeric attributes of codes of any classification, e.g. an emission factor per NAICS
    industry (``classification`` ``NAICS2017``, ``attribute`` ``ghg_kg_co2e_per_usd``).
``io_cells`` / ``io_labels``
    Input-output tables in long, sparse form (zero cells are not stored): ``matrix`` is ``Z``
    (intermediate use; row and column are region × sector), ``Y`` (final demand; ``col_sector``
    names the final-demand category), ``x`` (gross output; column fields empty), ``V`` (value
    added and other factor inputs; ``row_region`` empty, ``row_sector`` names the factor), ``F``
    (satellite accounts such as emissions; ``row_sector`` names the stressor) or ``F_Y``
    (stressors emitted by final demand directly; columns as in ``Y``). Empty fields are
    ``''``, never NULL, so they take part in keys. ``io_labels`` names regions, sectors,
    final-demand categories, factors and stressors (``kind``) of each table, with units.
``vaccine_supplies``
    Critical-supply ledger by country and date in long form (doses secured, delivered, donated,
    people vaccinated ...; ``indicator`` names the series).
``goals``
    Cooperation goals recorded by users (not a source load): what is measured, for which
    provider, host and sector, the target, base year and deadline; ``spec`` holds the full goal
    as JSON.
``provenance``
    One row per load: source, release, file, sha256, rows, target table, loaded_at.
"""

from __future__ import annotations

from dataclasses import dataclass

from capcoop.sources.base import TABLE_KEYS

__all__ = ["Migration", "MIGRATIONS", "SCHEMA_VERSION", "TABLE_KEYS"]


@dataclass(frozen=True)
class Migration:
    """A numbered schema change: its version, a short name and its DDL statements."""

    version: int
    name: str
    statements: tuple[str, ...]


_V1 = (
    """CREATE TABLE provenance (
        load_id BIGINT NOT NULL, source VARCHAR NOT NULL, release VARCHAR, file VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL, rows BIGINT NOT NULL, target VARCHAR NOT NULL,
        replaced_rows BIGINT NOT NULL DEFAULT 0, parameters VARCHAR,
        capcoop_version VARCHAR, loaded_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE trade_flows (
        source VARCHAR NOT NULL, basis VARCHAR NOT NULL, freq VARCHAR NOT NULL,
        year SMALLINT NOT NULL, month TINYINT, reporter VARCHAR NOT NULL, partner VARCHAR NOT NULL,
        flow VARCHAR NOT NULL, classification VARCHAR NOT NULL, product VARCHAR NOT NULL,
        value_usd DOUBLE, value_local DOUBLE, currency VARCHAR NOT NULL DEFAULT 'USD',
        quantity DOUBLE, quantity_unit VARCHAR, estimate BOOLEAN NOT NULL DEFAULT FALSE,
        load_id BIGINT NOT NULL)""",
    """CREATE TABLE country_product_exports (
        source VARCHAR NOT NULL, classification VARCHAR NOT NULL, year SMALLINT NOT NULL,
        country VARCHAR NOT NULL, product VARCHAR NOT NULL, export_usd DOUBLE NOT NULL,
        load_id BIGINT NOT NULL)""",
    """CREATE TABLE sector_accounts (
        source VARCHAR NOT NULL, country VARCHAR NOT NULL, sector VARCHAR NOT NULL,
        year SMALLINT NOT NULL, indicator VARCHAR NOT NULL, value DOUBLE NOT NULL,
        unit VARCHAR NOT NULL, load_id BIGINT NOT NULL)""",
    """CREATE TABLE country_indicators (
        source VARCHAR NOT NULL, country VARCHAR NOT NULL, indicator VARCHAR NOT NULL,
        year SMALLINT NOT NULL, value DOUBLE NOT NULL, load_id BIGINT NOT NULL)""",
    """CREATE TABLE indicator_definitions (
        source VARCHAR NOT NULL, indicator VARCHAR NOT NULL, name VARCHAR NOT NULL,
        unit VARCHAR, load_id BIGINT NOT NULL)""",
    """CREATE TABLE country_classifications (
        source VARCHAR NOT NULL, country VARCHAR NOT NULL, scheme VARCHAR NOT NULL,
        year SMALLINT NOT NULL, value VARCHAR NOT NULL, load_id BIGINT NOT NULL)""",
)

_V2 = (
    """CREATE TABLE ref_countries (
        iso3 VARCHAR NOT NULL, iso2 VARCHAR, m49 VARCHAR, baci INTEGER, name_en VARCHAR,
        name_zh VARCHAR, kind VARCHAR NOT NULL, region VARCHAR, subregion VARCHAR)""",
    """CREATE TABLE ref_bloc_memberships (
        bloc VARCHAR NOT NULL, iso3 VARCHAR NOT NULL, joined DATE NOT NULL, "left" DATE)""",
    """CREATE TABLE ref_cooperation_sectors (
        sector VARCHAR NOT NULL, name_en VARCHAR NOT NULL, name_zh VARCHAR, tags VARCHAR,
        hs_revision VARCHAR, hs_from VARCHAR NOT NULL, hs_to VARCHAR NOT NULL)""",
)

_V3 = (
    """CREATE TABLE code_attributes (
        source VARCHAR NOT NULL, classification VARCHAR NOT NULL, code VARCHAR NOT NULL,
        attribute VARCHAR NOT NULL, value DOUBLE NOT NULL, unit VARCHAR, load_id BIGINT NOT NULL)""",
    """CREATE TABLE io_cells (
        source VARCHAR NOT NULL, table_name VARCHAR NOT NULL, year SMALLINT NOT NULL,
        matrix VARCHAR NOT NULL, row_region VARCHAR NOT NULL, row_sector VARCHAR NOT NULL,
        col_region VARCHAR NOT NULL, col_sector VARCHAR NOT NULL, value DOUBLE NOT NULL,
        load_id BIGINT NOT NULL)""",
    """CREATE TABLE io_labels (
        source VARCHAR NOT NULL, table_name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
        code VARCHAR NOT NULL, name_en VARCHAR, name_zh VARCHAR, unit VARCHAR,
        load_id BIGINT NOT NULL)""",
    """CREATE TABLE vaccine_supplies (
        source VARCHAR NOT NULL, country VARCHAR NOT NULL, date DATE NOT NULL,
        indicator VARCHAR NOT NULL, value DOUBLE NOT NULL, load_id BIGINT NOT NULL)""",
    """CREATE TABLE goals (
        goal_id BIGINT PRIMARY KEY, label VARCHAR NOT NULL, metric VARCHAR NOT NULL,
        provider VARCHAR NOT NULL, host VARCHAR NOT NULL, sector VARCHAR,
        target DOUBLE NOT NULL, base_year SMALLINT NOT NULL, deadline SMALLINT NOT NULL,
        spec VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)""",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "canonical tables and provenance", _V1),
    Migration(2, "reference code tables (countries, bloc memberships, cooperation sectors)", _V2),
    Migration(3, "code attributes, input-output tables, critical supplies, goals", _V3),
)

SCHEMA_VERSION = MIGRATIONS[-1].version
