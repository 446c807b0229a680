/** Numeric command-line flags, checked once with errors that name the flag and the value given. */
import { UserFacingError } from '../errors.js';

/** A flag that must be a whole number ≥ minimum, or a UserFacingError naming the flag. */
export function parseInteger(flag: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum) {
    throw new UserFacingError(`${flag} must be an integer ≥ ${minimum}, got "${text}"`);
  }
  return value;
}

/** A flag that must be a number in [0, maximum], or a UserFacingError naming the flag. */
export function parseFraction(flag: string, text: string, maximum = Infinity): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > maximum) {
    throw new UserFacingError(`${flag} must be a number in [0, ${maximum}], got "${text}"`);
  }
  return value;
}
