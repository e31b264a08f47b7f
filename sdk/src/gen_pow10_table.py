#!/usr/bin/env python3
"""Writes sdk/src/pow10_table.h, the powers of ten that double_format.c
multiplies by, and proves on the way that its 128-bit arithmetic is exact.

    python3 sdk/src/gen_pow10_table.py > sdk/src/pow10_table.h

Exact integer arithmetic throughout (Python integers and fractions); no
floating point decides anything.

What double_format.c computes, for a finite double v = c * 2^q and each of
the three scaled bounds x in {4c - 2 (or 4c - 1), 4c, 4c + 2}:

    X = x * 2^q * 10^-k          k = floor(log10(2^q))  (or of 3/4 * 2^q)

as "round to odd": floor(X), with the lowest bit set when X is not an
integer.  It uses g = ceil(10^f * 2^(127 - b)), f = -k, b = floor(log2(10^f)),
a 128-bit integer in [2^127, 2^128), and cp = x * 2^h with h = q + b + 1,
so that X = cp * G / 2^128 for the exact G = 10^f * 2^(127 - b) <= g.  The
product P = cp * g exceeds the exact one by less than cp, so

  - floor(P / 2^128) = floor(X) and P mod 2^128 >= cp when X is not an integer,
  - P mod 2^128 < cp when it is,

provided the distance of X to the nearest integer, when not zero, is at least
cp / 2^128.  This script checks that for every exponent q and every x a double
can produce, with the best-approximation property of continued fractions: for
1 <= x < q_{n+1} (convergent denominators of the fractional part of 2^q * 10^f),
||x * alpha|| >= ||q_n * alpha||.  It also checks the multiply-shift formulas
for floor(log10(2^q)), floor(log10(3/4 * 2^q)) and floor(log2(10^f)).
"""
import sys
from fractions import Fraction

Q_MIN, Q_MAX = -1074, 971          # v = c * 2^q, c < 2^53
X_MAX = 4 * (2 ** 53 - 1) + 2      # the largest scaled bound


def floor_log10(x):
    """floor(log10(x)) of a positive Fraction, exactly."""
    k = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(10) ** k > x:
        k -= 1
    while Fraction(10) ** (k + 1) <= x:
        k += 1
    return k


def floor_log2(x):
    b = x.numerator.bit_length() - x.denominator.bit_length()
    while Fraction(2) ** b > x:
        b -= 1
    while Fraction(2) ** (b + 1) <= x:
        b += 1
    return b


# The formulas double_format.c uses (arithmetic shifts, as in C on our targets).
def k_regular(q):
    return (q * 78913) >> 18


def k_irregular(q):
    return (q * 315653 - 131072) >> 20


def b_of(f):
    return (f * 1741647) >> 19


def ceil_div(a, b):
    return -((-a) // b)


def g_of(f):
    b = b_of(f)
    e = 127 - b
    num = 10 ** f if f >= 0 else 1
    den = 1 if f >= 0 else 10 ** -f
    if e >= 0:
        num <<= e
    else:
        den <<= -e
    return ceil_div(num, den)


def min_distance(alpha, n_max):
    """The smallest nonzero ||x * alpha|| for 1 <= x <= n_max (alpha rational)."""
    a, b = alpha.numerator % alpha.denominator, alpha.denominator
    if a == 0:
        return None  # every x * alpha is an integer
    if b <= n_max:
        return Fraction(1, b)  # every nonzero distance is a multiple of 1/b
    # Convergent denominators q_0 = 1, q_1, ... of a/b = [0; t_1, t_2, ...];
    # the last one is b.  The minimum is at the largest one <= n_max.
    q_prev, q_cur = 0, 1
    num, den = b, a
    best = 1
    while den:
        t = num // den
        num, den = den, num - t * den
        q_prev, q_cur = q_cur, t * q_cur + q_prev
        if q_cur <= n_max:
            best = q_cur
    d = (best * a) % b
    return Fraction(min(d, b - d), b)


def check():
    for q in range(-1200, 1200):
        assert k_regular(q) == floor_log10(Fraction(2) ** q), q
        assert k_irregular(q) == floor_log10(Fraction(3, 4) * Fraction(2) ** q), q
    for f in range(-400, 400):
        assert b_of(f) == floor_log2(Fraction(10) ** f), f
    f_lo, f_hi = 10 ** 9, -10 ** 9
    worst = None
    for q in range(Q_MIN, Q_MAX + 1):
        for irregular in (False, True):
            if irregular and q == Q_MIN:
                continue
            k = k_irregular(q) if irregular else k_regular(q)
            f = -k
            f_lo, f_hi = min(f_lo, f), max(f_hi, f)
            b = b_of(f)
            h = q + b + 1
            assert 0 <= h <= 4, (q, h)
            g = g_of(f)
            assert 2 ** 127 <= g < 2 ** 128, f
            alpha = Fraction(2) ** q * Fraction(10) ** f
            if irregular:
                xs = (4 * 2 ** 52 - 1, 4 * 2 ** 52, 4 * 2 ** 52 + 2)
                for x in xs:
                    cp = x << h
                    p = cp * g
                    exact = x * alpha
                    assert p >> 128 == exact.numerator // exact.denominator, (q, x)
                    lo = p & (2 ** 128 - 1)
                    assert (lo < cp) == (exact.denominator == 1), (q, x)
                continue
            d = min_distance(alpha, X_MAX)
            if d is None:
                continue
            # Sufficient: d * 2^128 >= X_MAX * 2^h >= cp for every x.
            margin = d * 2 ** 128 / (X_MAX << h)
            assert margin >= 1, (q, margin)
            if worst is None or margin < worst[0]:
                worst = (margin, q)
    return f_lo, f_hi, worst


def main():
    f_lo, f_hi, worst = check()
    out = sys.stdout
    out.write("/* Generated by sdk/src/gen_pow10_table.py; do not edit.\n"
              " * g(f) = ceil(10^f * 2^(127 - floor(log2(10^f)))) as {high, low} 64-bit\n"
              " * halves, for f = POW10_F_MIN .. POW10_F_MAX.  The script proved the\n"
              " * 128-bit products of double_format.c exact for every double (the\n"
              " * smallest margin, at q = %d, is 2^%d). */\n" % (worst[1], worst[0].numerator.bit_length() - worst[0].denominator.bit_length()))
    out.write("#define POW10_F_MIN (%d)\n#define POW10_F_MAX %d\n\n" % (f_lo, f_hi))
    out.write("static const uint64_t pow10_table[POW10_F_MAX - POW10_F_MIN + 1][2] = {\n")
    for f in range(f_lo, f_hi + 1):
        g = g_of(f)
        out.write("\t{ UINT64_C(0x%016x), UINT64_C(0x%016x) }, /* %d */\n" % (g >> 64, g & (2 ** 64 - 1), f))
    out.write("};\n")


if __name__ == "__main__":
    main()
