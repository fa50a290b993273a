"""The IAMC vocabulary: model and region names, the column contract of every results table, units and
variable names.  Every module that writes or reads a results table takes its names from here.

Variable names follow the IAMC convention (``Category|Sub``, a ``|`` meaning "part of").  The tree:
``Value Added|…`` and ``Share of GDP|…`` hold the partition of GDP only (a parent equals the sum of its
children; each sector's own name is :attr:`model.core.sectors.Sector.variable`); measures that cut across
the partition (high-tech, new economy) sit under their own roots, ``Value Added (Cross-cutting)|…`` and
``Share of GDP (Cross-cutting)|…``, so no check or reader adds them to it.

The tree is declared once, with every name's unit and description, in the nomenclature-iamc codelist
of ``model/definitions/`` (:mod:`model.core.codelist`): the names and units here are the code's
handles on it, and ``tests/test_codelist.py`` checks them against it.
"""
from __future__ import annotations

MODEL_NAME = "Beijing Scenario Model"            # the model column of every projected row
STATISTICS_MODEL = "Beijing Statistics"          # the model column of the published record's rows
REGION = "Beijing"
IAMC_COLUMNS = ("model", "scenario", "region", "variable", "unit", "year", "value")
# The scenarios of the published record's rows: levels on the 4th-census basis (the model's own
# 2020 base) and levels on the revised 5th-census basis (model.baseline.realized).  Named
# ``published``, never ``realized``: that is a model scenario (scenarios/realized.yaml), and
# ``filter(scenario="realized")`` in pyam must not return the statistics with it.
SCENARIO_4TH = "published"
SCENARIO_5TH = "published (5th census)"

# Levels of value added, revenue and output are flows: amounts per year (the IAMC habit of "/yr").
NOMINAL = "100 million CNY/yr"
REAL = "100 million CNY/yr (2020 prices)"
PERCENT = "%"
INDEX_UNIT = "Index (2020 = 100)"


def real_unit(base_year: int) -> str:
    """Unit of real value added: constant prices of the projection's base year (:data:`REAL` for 2020)."""
    return REAL.replace("2020", str(base_year))


def index_unit(base_year: int) -> str:
    """Unit of a price index that is 100 in the projection's base year (:data:`INDEX_UNIT` for 2020)."""
    return INDEX_UNIT.replace("2020", str(base_year))


COUNT = "count"

# Variable names (the variable table of docs/variables.md describes each).
GDP = "GDP"
REAL_GDP = "Real GDP"
PRICE_INDEX = "Price Index"                               # root of the implicit value-added deflators
GDP_PRICE_INDEX = PRICE_INDEX + "|GDP"
GROUP_PRICE_INDEX = "Price Index (Group)"                 # deflators of sector groups (not parents of the sectors')
REAL_GDP_GROWTH = "Growth|Real GDP"
# Compound average annual real GDP growth over the five years ending in the year (a five-year plan
# period: the 2030 value is the growth of 2026-2030, from the 2025 level to the 2030 one), % per year;
# defined from five years after the base year (:func:`model.projection.indicators.average_growth_percent`).
REAL_GDP_GROWTH_5Y = "Growth (5-year average)|Real GDP"
VALUE_ADDED = "Value Added"                               # root of the sectors' nominal value added
SHARE_OF_GDP = "Share of GDP"                             # root of the level-1 sectors' shares
CROSS_CUTTING_VALUE_ADDED = "Value Added (Cross-cutting)"
CROSS_CUTTING_SHARE = "Share of GDP (Cross-cutting)"
HIGHTECH_VALUE_ADDED = CROSS_CUTTING_VALUE_ADDED + "|High-tech"
NEW_ECONOMY_VALUE_ADDED = CROSS_CUTTING_VALUE_ADDED + "|New Economy"
HIGHTECH_SHARE = CROSS_CUTTING_SHARE + "|High-tech"
NEW_ECONOMY_SHARE = CROSS_CUTTING_SHARE + "|New Economy"
DIGITAL_ECONOMY_VALUE_ADDED = CROSS_CUTTING_VALUE_ADDED + "|Digital Economy"
DIGITAL_ECONOMY_SHARE = CROSS_CUTTING_SHARE + "|Digital Economy"
# Satellite series (model/equations/satellite.py): quantities that are not value added, linked to it.  Each has
# a qualified root of its own, so no reader adds it to value added or takes it for a share of the partition.
RD_EXPENDITURE = "Expenditure|R&D"                       # R&D spending of the whole society, current prices
RD_INTENSITY = "Share of GDP (Expenditure)|R&D"          # R&D spending in % of nominal GDP
BUDGET_REVENUE = "Government Revenue|General Public Budget"             # current prices
BUDGET_REVENUE_GROWTH = "Growth|Government Revenue|General Public Budget"   # nominal growth on the year before, %
PROJECT_VALUE_ADDED = "Value Added (Project)"             # + "|<project name>"; part of its sector's value added
PROJECT_GROSS_OUTPUT = "Gross Output (Project)"           # + "|<project name>"


def real(variable: str) -> str:
    """The variable at 2020 prices: ``Real GDP``, ``Real Value Added|Finance``."""
    return "Real " + variable


def share_of_gdp(value_added_variable: str) -> str:
    """The share-of-GDP variable of a level-1 value-added one: ``Value Added|Finance`` ->
    ``Share of GDP|Finance``; of a cross-cutting one, the cross-cutting share."""
    root, _, name = value_added_variable.partition("|")
    return {VALUE_ADDED: SHARE_OF_GDP, CROSS_CUTTING_VALUE_ADDED: CROSS_CUTTING_SHARE}[root] + "|" + name


def price_index(value_added_variable: str) -> str:
    """The price-index variable of a sector's value added: ``Value Added|Finance`` -> ``Price Index|Finance``."""
    return PRICE_INDEX + "|" + value_added_variable.partition("|")[2]


def group_price_index(value_added_variable: str) -> str:
    """The price-index variable of a group of sectors (a parent of the partition), under its own root so that
    no aggregation check reads it as the sum of the sectors' indices: ``Price Index (Group)|Manufacturing``."""
    return GROUP_PRICE_INDEX + "|" + value_added_variable.partition("|")[2]


def is_share_of_gdp(variable: str) -> bool:
    """True for a share of GDP, of the partition or cross-cutting."""
    return variable.startswith((SHARE_OF_GDP + "|", CROSS_CUTTING_SHARE + "|"))


# Revenue-layer names read by the published record (the series themselves: model.equations.revenue.SERIES).
PHARMA_OF_MEDICINE = "Revenue|Medicine and Health, of which Pharmaceutical Manufacturing"
CLUSTER_VARIABLE = "Clusters|Trillion-yuan"
