"""The exceptions of the seqc package."""

import re

__all__ = ["Error", "CompileError", "InputError", "LoadError"]


class Error(Exception):
    """Base class of every error seqc raises on purpose."""


class CompileError(Error):
    """The model could not be imported or compiled.

    ``diagnostics`` holds the compiler's messages, one per line, in the form
    the ``seqc`` driver prints them: ``file: error: node NAME (Op): message``.
    """

    def __init__(self, diagnostics, summary=None):
        if isinstance(diagnostics, str):
            diagnostics = diagnostics.splitlines()
        self.diagnostics = [d for d in diagnostics if d.strip()]
        message = ("\n".join(self.diagnostics) or summary or
                   "compilation failed")
        super().__init__(message)


class InputError(Error, ValueError):
    """A compiled model rejected its inputs.

    ``input`` names the offending input (None if the message is about the
    call as a whole), ``status`` is the runtime's ``seqc_status`` code, and
    ``expected``/``actual`` are the values that disagree (a dtype, a rank or a
    dim) when the message names them.
    """

    def __init__(self, message, status=1, input=None):
        super().__init__(message)
        self.status = status
        self.input = input
        if input is None:
            found = re.match(r"input '([^']*)'", message)
            self.input = found.group(1) if found else None
        self.expected, self.actual = _expected_actual(message)


class LoadError(Error, OSError):
    """A file is not a shared library compiled by seqc, or cannot be opened."""


def _expected_actual(message):
    patterns = [
        r"expected (?:dtype|rank) (\S+), got (\S+)",
        r"must be (-?\d+), got (-?\d+)",
        r"\) is (-?\d+) but input '[^']*' set '[^']*' to (-?\d+)",
    ]
    for i, pattern in enumerate(patterns):
        found = re.search(pattern, message)
        if found:
            first, second = found.group(1).rstrip(","), found.group(2)
            # The symbolic-dim message names the actual value first.
            return (second, first) if i == 2 else (first, second)
    return None, None
