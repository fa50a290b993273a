"""What the figures (:mod:`model.output.plots`), the report and the workbook share of their look: the
scenarios' palette, markers and line styles, the statuses' colours and a description's headline.  Here,
apart from the figures, so that writing the report, the workbook or the tables, and a batch choosing its
scenarios' colours, imports no matplotlib."""
from ..targets.scorecard import NOT_PUBLISHED, STATUSES

# The palette, defined once: Okabe & Ito's colour-blind-safe set (its yellow, too faint for a line on
# white, replaced by Tol's wine) and two dark colours of Tol's (brown, indigo), pairwise distinct under
# simulated protan-, deutan- and tritanopia (tests/test_plots.py).  The i-th scenario in sorted name
# order gets the i-th colour, the i-th marker and, once the colours are used up, the next line style:
# the first ten scenarios of a batch differ in colour, and no two of up to 40 share colour, marker
# and line style (the colour and marker cycles differ in length: no two of 90 share both).
SCENARIO_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#882255", "#000000",
                    "#661100", "#332288")
SCENARIO_MARKERS = ("o", "^", "D", "v", "P", "X", "p", "<", ">")
SCENARIO_LINES = ("-", "--", ":", "-.")


def scenario_colours(names) -> dict[str, str]:
    """One colour per scenario, assigned in sorted name order (the same in every figure of a batch)."""
    return {n: SCENARIO_PALETTE[i % len(SCENARIO_PALETTE)] for i, n in enumerate(sorted(set(names)))}


# Statuses: a light tint each, and always the word in the cell as well (never colour alone).
STATUS_COLOURS = dict(zip(STATUSES, ("#a6dcc8", "#f0a58a", "#d9d9d9", "#f2f2f2")))   # met, missed, not ...
STATUS_COLOURS[NOT_PUBLISHED] = "#fbf3d5"              # a realized status: no published figure decides


def headline(description: str) -> str:
    """The first sentence of a description (a figure's title or label; the rest is in the tables)."""
    first = str(description).split(". ", 1)[0].strip()
    return first[:-1] if first.endswith(".") else first
