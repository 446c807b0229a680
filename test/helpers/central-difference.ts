/** The central difference (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h of f at x along coordinate i. */
export function centralDifference(
  f: (x: Float64Array) => number,
  x: Float64Array,
  i: number,
  h = 1e-6,
): number {
  const plus = x.slice();
  const minus = x.slice();
  plus[i] += h;
  minus[i] -= h;
  return (f(plus) - f(minus)) / (2 * h);
}
