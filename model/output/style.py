"""What the figures (:mod:`model.output.plots`), the report and the workbook share of their look: the
statuses' colours and a description's headline.  Here, apart from the figures, so that writing the
report, the workbook or the tables imports no matplotlib."""
from ..targets.scorecard import NOT_PUBLISHED, STATUSES

# Statuses: a light tint each, and always the word in the cell as well (never colour alone).
STATUS_COLOURS = dict(zip(STATUSES, ("#a6dcc8", "#f0a58a", "#d9d9d9", "#f2f2f2")))   # met, missed, not ...
STATUS_COLOURS[NOT_PUBLISHED] = "#fbf3d5"              # a realized status: no published figure decides


def headline(description: str) -> str:
    """The first sentence of a description (a figure's title or label; the rest is in the tables)."""
    first = str(description).split(". ", 1)[0].strip()
    return first[:-1] if first.endswith(".") else first
