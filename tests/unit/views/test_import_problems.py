"""A refused import's problems split into line, row, column and value for the import page."""

from __future__ import annotations

from pegboard.views.import_page import problem_of


def test_a_field_problem_names_its_line_row_column_and_value() -> None:
    found = problem_of("line 3: row 2, field 'quantity', value 'lots': is not a number")

    assert (found.where, found.column, found.value, found.problem) == (
        "line 3, row 2",
        "quantity",
        "lots",
        "is not a number",
    )


def test_a_problem_without_a_field_keeps_its_line_and_words() -> None:
    assert problem_of("line 4: row 3 has more cells than the header").where == "line 4"
    assert problem_of("the file is empty: a header row is required").problem.startswith("the file is empty")
