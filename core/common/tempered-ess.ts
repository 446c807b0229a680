/**
 * The effective sample size of exponentially tilted weights exp(xᵢ/T), and the temperature T that
 * gives a chosen ESS. ROER's β controllers temper TD errors this way (core/beta); the AWR actor can
 * choose its temperature the same way from the batch's advantages (core/agents). Adaptive tempering
 * in sequential Monte Carlo chooses its temperatures by the same rule.
 *
 * ESS is non-decreasing in T: with t = 1/T, log ESS = 2·LSE(t·x) − LSE(2t·x), and
 * d log ESS/dt = 2(E_{p_t}[x] − E_{p_{2t}}[x]) ≤ 0 because the tilted mean grows with the tilt.
 * That is what makes the bisection below well posed.
 */

/**
 * Kish's ESS (Σw)²/Σw² of the weights exp(xᵢ/T) without overflow: with uᵢ = exp((xᵢ − max x)/T)
 * ∈ (0, 1], ESS = (Σu)²/Σu² — the same ratio as (Σe^{x/T})²/Σe^{2x/T} = exp(2·LSE(x/T) − LSE(2x/T)),
 * but shifted by the maximum so that no large logarithms cancel. 0 for an empty input.
 */
export function essAtTemperature(values: ArrayLike<number>, temperature: number): number {
  const n = values.length;
  if (n === 0) return 0;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  const inverse = 1 / temperature;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const u = Math.exp((values[i] - max) * inverse);
    sum += u;
    sumSquares += u * u;
  }
  return (sum * sum) / sumSquares;
}

/**
 * The T ∈ [low, high] at which the weights exp(xᵢ/T) have ESS = fraction·n, by bisection on log T
 * to `tolerance` in log T. Returns `low` when even `low` reaches the target and `high` when even
 * `high` falls short. With a `guess` (a previous answer, which moves slowly) the search starts from
 * the bracket [guess/2, 2·guess] when it contains the answer, which roughly halves the number of
 * ESS evaluations.
 */
export function solveTemperatureForEss(
  values: ArrayLike<number>,
  fraction: number,
  low: number,
  high: number,
  tolerance = 1e-5,
  guess?: number,
): number {
  const target = fraction * values.length;
  let logLow = Math.log(low);
  let logHigh = Math.log(high);
  let bracketed = false;
  if (guess !== undefined && guess > low && guess < high) {
    const lowGuess = Math.max(low, guess / 2);
    const highGuess = Math.min(high, guess * 2);
    if (essAtTemperature(values, lowGuess) < target && essAtTemperature(values, highGuess) >= target) {
      logLow = Math.log(lowGuess);
      logHigh = Math.log(highGuess);
      bracketed = true;
    }
  }
  if (!bracketed) {
    if (essAtTemperature(values, low) >= target) return low;
    if (essAtTemperature(values, high) <= target) return high;
  }
  for (let iteration = 0; iteration < 200 && logHigh - logLow > tolerance; iteration++) {
    const middle = 0.5 * (logLow + logHigh);
    if (essAtTemperature(values, Math.exp(middle)) < target) logLow = middle;
    else logHigh = middle;
  }
  return Math.exp(0.5 * (logLow + logHigh));
}

/**
 * The T at which exp(xᵢ/T) has ESS = fraction·n, searched within six decades either side of the
 * values' range (so T scales with the values: T(c·x + b) = c·T(x) for c > 0); 1 when all values are
 * equal, where every T gives equal weights.
 */
export function temperatureForEss(values: ArrayLike<number>, fraction: number): number {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    low = Math.min(low, values[i]);
    high = Math.max(high, values[i]);
  }
  const range = high - low;
  if (!(range > 0)) return 1;
  return solveTemperatureForEss(values, fraction, range * 1e-6, range * 1e6, 1e-6);
}
