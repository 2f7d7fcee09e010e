"""Population files for themed audit tests (synthetic)."""

from __future__ import annotations

HEADER = "referral_reference,case_reference,referral_date,team,previous_referral_date,date_of_birth"


def population_csv(rows: int, team: str = "CIN North", start: int = 1) -> str:
    """``rows`` valid re-referrals in April-June 2026."""
    lines = [HEADER]
    for n in range(start, start + rows):
        lines.append(
            f"R{n:04d},C9{n:05d},2026-0{4 + n % 3}-{1 + n % 27:02d},{team},"
            f"2026-01-{1 + n % 27:02d},20{10 + n % 15}-06-15"
        )
    return "\n".join(lines) + "\n"
