"""The kernel's string helpers (``strim``, ``kstrto*``) and the model's errno signal.

Kernel models parse what userspace wrote exactly as the kernel does, so that a value the real
kernel rejects is rejected here too (``" 1"`` is fine for ``kstrtoint(strstrip())``, ``"1 2"`` is
not).  Models raise :class:`KernelErrno`; the kernel turns it into an ``OSError`` through
``fs.raise_os_error`` at one place.
"""

from __future__ import annotations

import errno as errno_module

__all__ = ["KernelErrno", "kstrtoint", "kstrtoul", "strim"]

#: what the kernel's isspace() accepts
_SPACE = " \t\n\v\f\r"

INT_MAX = 2**31 - 1
ULONG_MAX = 2**64 - 1


class KernelErrno(Exception):
    """A kernel operation failed with ``errno``; raised by models, converted by the kernel."""

    def __init__(self, err: int) -> None:
        super().__init__(errno_module.errorcode.get(err, str(err)))
        self.errno = err


def strim(text: str) -> str:
    """``strim``/``strstrip``: drop leading and trailing whitespace."""
    return text.strip(_SPACE)


def _kstrtoull(text: str, base: int) -> int:
    """``_kstrtoull``: one optional trailing newline, base prefixes, overflow is ERANGE.

    Raises:
        KernelErrno: EINVAL for no digits or a bad character, ERANGE on overflow.
    """
    text = text.removesuffix("\n")
    if base == 0:
        if text[:2].lower() == "0x" and len(text) > 2:
            base, text = 16, text[2:]
        elif text.startswith("0") and len(text) > 1:
            base, text = 8, text[1:]
        else:
            base = 10
    elif base == 16 and text[:2].lower() == "0x":
        text = text[2:]
    if not text:
        raise KernelErrno(errno_module.EINVAL)
    digits = "0123456789abcdef"[:base]
    if any(ch not in digits for ch in text.lower()):
        raise KernelErrno(errno_module.EINVAL)
    value = int(text, base)
    if value > ULONG_MAX:
        raise KernelErrno(errno_module.ERANGE)
    return value


def kstrtoul(text: str, base: int) -> int:
    """``kstrtoul``: unsigned, an optional leading ``+``.

    Raises:
        KernelErrno: EINVAL or ERANGE, as the kernel.
    """
    text = text.removeprefix("+")
    return _kstrtoull(text, base)


def kstrtoint(text: str, base: int = 0) -> int:
    """``kstrtoint``: signed 32-bit, optional sign, base 0 autodetects 0x and leading 0.

    Raises:
        KernelErrno: EINVAL for garbage, ERANGE outside the int range.
    """
    negative = text.startswith("-")
    if negative or text.startswith("+"):
        text = text[1:]
    value = _kstrtoull(text, base)
    if negative:
        if value > INT_MAX + 1:
            raise KernelErrno(errno_module.ERANGE)
        return -value
    if value > INT_MAX:
        raise KernelErrno(errno_module.ERANGE)
    return value
