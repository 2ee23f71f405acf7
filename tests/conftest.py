import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from shared_data import shared_data  # noqa: E402


@pytest.fixture
def shared():
    """Callable fixture: ``shared("trade", "x.csv")`` -> Path, skipping when the data is absent."""
    return shared_data
