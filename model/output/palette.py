"""The colours of the statuses, shared by the figures (:mod:`model.output.plots`) and the report's tables
(:mod:`model.output.report`); here, apart from the figures, so that a run without figures imports no
matplotlib."""
from ..targets.scorecard import NOT_PUBLISHED, STATUSES

# Statuses: a light tint each, and always the word in the cell as well (never colour alone).
STATUS_COLOURS = dict(zip(STATUSES, ("#a6dcc8", "#f0a58a", "#d9d9d9", "#f2f2f2")))   # met, missed, not ...
STATUS_COLOURS[NOT_PUBLISHED] = "#fbf3d5"              # a realized status: no published figure decides
