"""The CSV writer of every output table (model/output/write.py): the bytes pandas' own writer gives with the
same float format, for any mix of columns, and the table given left as it was."""
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from model.output.write import FLOAT_FORMAT, _csv_bytes

floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([-0.0, 0.1 + 0.2, 1e-300, 5e-324]))
texts = st.one_of(st.none(), st.text(alphabet=st.sampled_from('ab,"\n \u00e9\u5317'), max_size=4))


@st.composite
def frames(draw):
    n = draw(st.integers(0, 6))
    kinds = draw(st.lists(st.sampled_from(["f8", "f4", "i8", "Int64", "bool", "text"]), min_size=1, max_size=5))
    columns, names = [], draw(st.lists(st.sampled_from(["a", "b", "value"]), min_size=len(kinds), max_size=len(kinds)))
    for kind in kinds:
        if kind in ("f8", "f4"):
            with np.errstate(over="ignore"):
                columns.append(np.array(draw(st.lists(floats, min_size=n, max_size=n)), dtype=kind))
        elif kind == "i8":
            columns.append(np.array(draw(st.lists(st.integers(-10**12, 10**12), min_size=n, max_size=n)), dtype=kind))
        elif kind == "Int64":
            columns.append(pd.array(draw(st.lists(st.one_of(st.none(), st.integers(-99, 99)), min_size=n, max_size=n)),
                                    dtype="Int64"))
        elif kind == "bool":
            columns.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        else:
            columns.append(np.array(draw(st.lists(texts, min_size=n, max_size=n)), dtype=object))
    df = pd.concat([pd.Series(c, name=name) for c, name in zip(columns, names)], axis=1) if n else \
        pd.DataFrame({name: pd.Series(c) for c, name in zip(columns, names)})
    return df


@settings(max_examples=300, deadline=None)
@given(frames())
def test_the_same_bytes_as_pandas_writer(df):
    before = df.copy()
    expected = df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n").encode("utf-8")
    assert _csv_bytes(df) == expected
    pd.testing.assert_frame_equal(df, before)


def test_floats_are_written_to_twelve_significant_digits_and_missing_as_empty():
    df = pd.DataFrame({"year": [2025, 2030], "value": [1 / 3, np.nan], "unit": ["% of GDP", None]})
    assert _csv_bytes(df).decode() == "year,value,unit\n2025,0.333333333333,% of GDP\n2030,,\n"
