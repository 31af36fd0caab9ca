// Ordinary least squares of y on x, and how far each point lies from the fitted line: the scaling
// sections' slope (seconds per 1,000 events) and their linearity. Pure.

export interface LineFit {
  readonly slope: number;
  readonly intercept: number;
  /** (y − fitted) / fitted for each point, in input order: 0.1 = 10 % above the line. */
  readonly relativeResiduals: readonly number[];
}

/** The line minimising Σ(y − (slope·x + intercept))² (needs two distinct x). */
export function leastSquares(xs: readonly number[], ys: readonly number[]): LineFit {
  const n = xs.length;
  if (n !== ys.length || n < 2) throw new RangeError('leastSquares: needs two or more (x, y) pairs');
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0) throw new RangeError('leastSquares: every x is the same');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  return {
    slope,
    intercept,
    relativeResiduals: xs.map((x, i) => {
      const fitted = slope * x + intercept;
      return (ys[i]! - fitted) / fitted;
    }),
  };
}
