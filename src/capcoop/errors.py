"""The capcoop error tree.

Every error capcoop raises on purpose derives from :class:`CapcoopError`. Errors caused by
what the user gave (a bad code, a malformed file, a wrong option) also derive from
:class:`ValueError`, so notebook users can catch them the usual way. Each message says what
was wrong, quotes the offending value and, where there is one, says what to do instead; the
CLI and the API show the message as-is and never a traceback.
"""

from __future__ import annotations

__all__ = [
    "CapcoopError",
    "InputError",
    "UnknownCodeError",
    "UnknownCountryError",
    "UnknownBlocError",
    "UnknownProductError",
    "SettingError",
    "SourceFormatError",
    "WarehouseError",
    "WarehouseBusyError",
    "ReadOnlyWarehouseError",
    "LoadConflictError",
]


class CapcoopError(Exception):
    """Root of every error capcoop raises on purpose.

    Parameters
    ----------
    message
        What went wrong, quoting the offending value.
    hint
        The next step the user should take ("Try ..."), shown after the message.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class InputError(CapcoopError, ValueError):
    """A value the user supplied is not acceptable (bad option, code, file content)."""


class UnknownCodeError(InputError):
    """A code or name could not be resolved; ``suggestions`` lists close matches."""

    def __init__(self, message: str, *, hint: str | None = None,
                 suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message, hint=hint)
        self.suggestions = tuple(suggestions)


class UnknownCountryError(UnknownCodeError):
    """A country code or name is not known to capcoop."""


class UnknownBlocError(UnknownCodeError):
    """A bloc name is not known (neither built in nor user-defined)."""


class UnknownProductError(UnknownCodeError):
    """A product code (HS) or cooperation sector is not known."""


class SettingError(InputError):
    """A setting has an unknown name or a value of the wrong type."""


class SourceFormatError(InputError):
    """A source file does not have the expected format.

    The message names the file and, where known, the line, the column and the value.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: str | None = None, value: object = None,
                 hint: str | None = None) -> None:
        where = ", ".join(
            part for part in (
                f"file '{file}'" if file else "",
                f"line {line}" if line is not None else "",
                f"column '{column}'" if column else "",
                f"value {value!r}" if value is not None else "",
            ) if part
        )
        super().__init__(f"{message} ({where})" if where else message, hint=hint)
        self.file, self.line, self.column, self.value = file, line, column, value


class WarehouseError(CapcoopError):
    """The warehouse cannot do what was asked (missing, incompatible schema, I/O)."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the warehouse's single writer lock."""


class ReadOnlyWarehouseError(WarehouseError, ValueError):
    """A write was attempted on a read-only warehouse (such as the embedded demo)."""


class LoadConflictError(InputError):
    """A load would overlap rows already loaded from another file."""
