"""The kernel's string helpers (``strim``, ``kstrto*``) and the model's errno signal.

Kernel models parse what userspace wrote exactly as the kernel does, so that a value the real
kernel rejects is rejected here too (``" 1"`` is fine for ``kstrtoint(strstrip())``, ``"1 2"`` is
not).  Models raise :class:`KernelErrno`; the kernel turns it into an ``OSError`` through
``fs.raise_os_error`` at one place.
"""

from __future__ import annotations

import errno as errno_module

__all__ = [
    "PAGE_COUNTER_MAX_BYTES",
    "PAGE_SIZE",
    "KernelErrno",
    "kstrtoint",
    "kstrtoll",
    "kstrtoul",
    "page_counter_memparse",
    "strim",
]

#: what the kernel's isspace() accepts
_SPACE = " \t\n\v\f\r"

INT_MAX = 2**31 - 1
LLONG_MAX = 2**63 - 1
ULONG_MAX = 2**64 - 1
PAGE_SIZE = 4096
#: ``PAGE_COUNTER_MAX`` pages in bytes on 64-bit: what an unlimited memory counter is
PAGE_COUNTER_MAX_BYTES = LLONG_MAX // PAGE_SIZE * PAGE_SIZE


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


def kstrtoll(text: str, base: int = 0) -> int:
    """``kstrtoll``: signed 64-bit, optional sign (``"-0"`` is 0).

    Raises:
        KernelErrno: EINVAL for garbage, ERANGE outside the long long range.
    """
    negative = text.startswith("-")
    if negative or text.startswith("+"):
        text = text[1:]
    value = _kstrtoull(text, base)
    if negative:
        if value > LLONG_MAX + 1:
            raise KernelErrno(errno_module.ERANGE)
        return -value
    if value > LLONG_MAX:
        raise KernelErrno(errno_module.ERANGE)
    return value


_MEM_SUFFIX = {"k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}


def _simple_strtoull(text: str) -> tuple[int, str]:
    """``simple_strtoull(s, &end, 0)``: the leading number (0 when none) and what follows."""
    base, rest = 10, text
    if rest[:2].lower() == "0x" and len(rest) > 2 and rest[2].lower() in "0123456789abcdef":
        base, rest = 16, rest[2:]
    elif rest.startswith("0"):
        base = 8
    digits = "0123456789abcdef"[:base]
    end = 0
    while end < len(rest) and rest[end].lower() in digits:
        end += 1
    value = int(rest[:end], base) if end else 0
    return value % (ULONG_MAX + 1), rest[end:]


def page_counter_memparse(text: str, max_word: str) -> int | None:
    """``page_counter_memparse`` on a stripped buffer: bytes rounded down to pages, capped at
    ``PAGE_COUNTER_MAX``; None when the text is ``max_word`` (``"-1"`` in v1, ``"max"`` in v2).

    ``memparse`` takes a base-0 number and one optional K/M/G/T/P/E suffix; an empty buffer is
    0, as in the kernel.

    Raises:
        KernelErrno: EINVAL when anything follows the number and its suffix.
    """
    if text == max_word:
        return None
    value, rest = _simple_strtoull(text)
    if rest[:1].lower() in _MEM_SUFFIX and rest:
        value = (value << _MEM_SUFFIX[rest[0].lower()]) % (ULONG_MAX + 1)
        rest = rest[1:]
    if rest:
        raise KernelErrno(errno_module.EINVAL)
    return min(value // PAGE_SIZE * PAGE_SIZE, PAGE_COUNTER_MAX_BYTES)
