"""The re-referral themed audit (report, lines 188-234)."""
