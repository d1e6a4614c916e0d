#!/usr/bin/python3
"""Reference p-values for tests/stats/inference_test.cpp, from SciPy (Debian 12: python3-scipy
1.10.1). Run: /usr/bin/python3 tests/stats/mwu_reference.py
The formula-built samples are rebuilt with the same integer arithmetic in the C++ test."""
from scipy.stats import mannwhitneyu


def formula(n, mult, offset):
    """n distinct values: (i * mult mod 1000) / 10 + offset, i = 1..n (mult coprime to 1000)."""
    return [(i * mult % 1000) / 10 + offset for i in range(1, n + 1)]


cases = {
    "exact 5 v 5 separated": ([1.1, 2.2, 3.3, 4.4, 5.5], [6.1, 7.2, 8.3, 9.4, 10.5], "exact"),
    "exact 6 v 7 interleaved": ([1, 3, 5, 7, 9, 11], [2, 4, 6.5, 8.5, 10.5, 12.5, 14.5], "exact"),
    "exact 3 v 12": ([10.5, 3.3, 7.7], formula(12, 379, 0.05), "exact"),
    "exact 25 v 25": (formula(25, 379, 0), formula(25, 617, 12.05), "exact"),
    "ties 7 v 8": ([1, 2, 2, 3, 4, 4, 5], [3, 4, 4, 5, 6, 6, 7, 8], "asymptotic"),
    "ties integers 12 v 15": ([3, 5, 5, 6, 7, 7, 7, 8, 9, 9, 10, 12],
                              [5, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 13, 13, 14], "asymptotic"),
    "large 30 v 35": ([i * 1.01 for i in range(30)], [i * 1.01 + 3.3 for i in range(35)], "asymptotic"),
    "large 26 v 26": (formula(26, 379, 0), formula(26, 617, 12.05), "asymptotic"),
}
for name, (a, b, method) in cases.items():
    p = mannwhitneyu(a, b, alternative="two-sided", method=method).pvalue
    print(f"{name}: {p!r}")
