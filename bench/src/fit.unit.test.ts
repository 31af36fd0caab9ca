import { describe, expect, it } from 'vitest';
import { leastSquares } from './fit.ts';

describe('leastSquares', () => {
  it('finds the line the points lie on, with no residual', () => {
    const fit = leastSquares([1, 4, 16], [5, 11, 35]); // y = 2x + 3
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(3, 12);
    for (const r of fit.relativeResiduals) expect(r).toBeCloseTo(0, 12);
  });

  it('matches the fit worked by hand: (0,1), (1,2), (2,4) → y = 1.5x + 5/6', () => {
    // mean x 1, mean y 7/3; Σ(dx·dy) = (−1)(−4/3) + 0 + (1)(5/3) = 3; Σdx² = 2 → slope 3/2.
    const fit = leastSquares([0, 1, 2], [1, 2, 4]);
    expect(fit.slope).toBeCloseTo(1.5, 12);
    expect(fit.intercept).toBeCloseTo(7 / 3 - 1.5, 12);
    // fitted 5/6, 7/3, 23/6 → residuals (1 − 5/6)/(5/6) = 0.2, (2 − 7/3)/(7/3) = −1/7, (4 − 23/6)/(23/6) = 1/23
    const [a, b, c] = fit.relativeResiduals;
    expect(a).toBeCloseTo(0.2, 12);
    expect(b).toBeCloseTo(-1 / 7, 12);
    expect(c).toBeCloseTo(1 / 23, 12);
  });

  it('refuses fewer than two points, unequal lengths and a single x', () => {
    expect(() => leastSquares([1], [1])).toThrow(RangeError);
    expect(() => leastSquares([1, 2], [1])).toThrow(RangeError);
    expect(() => leastSquares([3, 3, 3], [1, 2, 3])).toThrow(RangeError);
  });
});
