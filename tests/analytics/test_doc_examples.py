"""The worked examples in the analytics docstrings are known answers too: run them."""

import doctest

import pytest

from capcoop.analytics import complexity, complexity_panel, indicators, proximity


@pytest.mark.parametrize("module", [indicators, complexity, complexity_panel, proximity],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
