"""Years and rows: the helpers agree with the arrays a projection holds."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from model.core.years import BASE_YEAR, level_row, level_years, n_steps, step_row, step_rows, step_year, step_years
from model.projection.simulate import project
from model.scenario.loader import scenario_from_dict


@given(st.integers(BASE_YEAR + 1, 2100))
def test_step_year_inverts_step_row(year):
    assert step_year(step_row(year)) == year
    assert step_row(year) == level_row(year - 1)      # a year's rate sits beside the level it starts from


def test_rows_index_the_projection_arrays(baseline):
    p = project(scenario_from_dict({"horizon": 2027}, "t.yaml"), baseline)
    assert p.years.tolist() == level_years(2027).tolist()
    assert len(p.growth_real) == n_steps(2027) == len(step_years(2027))
    for year in (2021, 2024, 2027):
        assert p.years[level_row(year)] == year
        assert step_years(2027)[step_row(year)] == year
        # the level of a year is the level of the year before grown by the year's rate (no projects here)
        np.testing.assert_allclose(p.va_real[level_row(year)],
                                   p.va_real[level_row(year - 1)] * (1 + p.growth_real[step_row(year)]), rtol=1e-12)
    assert step_years(2027)[step_rows(2022, 2025)].tolist() == [2022, 2023, 2024, 2025]
