"""capcoop: plan and monitor production-capacity cooperation between economies."""

from capcoop.errors import CapcoopError, InputError

__version__ = "0.1.0"
__all__ = ["CapcoopError", "InputError", "__version__"]
