"""Plain domain code: records, moments, eligibility and ranking. Knows nothing of storage or UI."""
