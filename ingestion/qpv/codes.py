"""QPV codes: the generation a code belongs to, and the department it names."""

from __future__ import annotations

import re

GENERATION_2015, GENERATION_2024 = 2015, 2024
# 2015: QP + department on 3 characters + 3 digits (QP011002); 2024: QN + department on 3
# characters + 2 digits + M (one commune) or I (several) (QN01102I).
_PATTERNS = {
    GENERATION_2015: re.compile(r"^QP(?:\d{3}|02[AB])\d{3}$"),
    GENERATION_2024: re.compile(r"^QN(?:\d{3}|02[AB])\d{2}[A-Z]$"),
}
QPV_CODE_REGEX = r"^(QP(\d{3}|02[AB])\d{3}|QN(\d{3}|02[AB])\d{2}[A-Z])$"


def normalise_qpv_code(value: object) -> str:
    """Upper-case code without spaces (``qp011002 `` → ``QP011002``)."""
    return re.sub(r"\s+", "", str(value)).upper()


def generation_of(code: str) -> int | None:
    """2015 for a ``QP…`` code, 2024 for a ``QN…`` code, None for anything else."""
    for generation, pattern in _PATTERNS.items():
        if pattern.match(code):
            return generation
    return None


def department_of_qpv(code: str) -> str:
    """The department a valid QPV code names: ``QP011002`` → ``11``, ``QN97101M`` → ``971``."""
    digits = code[2:5]
    return digits if digits.startswith("97") else digits[1:]
