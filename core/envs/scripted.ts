/**
 * Scripted behaviour policies for dataset generation: a noisy waypoint controller for the point
 * mazes (how D4RL's maze2d data was collected), energy-pumping controllers for Pendulum and
 * MountainCar, and a linear balance rule for CartPole. Each returns an action for an observation.
 */
import type { Rng } from '../util/random.js';
import { clip, normalizeAngle } from './spaces.js';
import { PENDULUM } from './pendulum.js';
import type { Cell, MazeGrid } from './maze-layouts.js';

/** A behaviour policy: observation → action (a Float32Array for Box spaces, an integer for Discrete). */
export type BehaviourPolicy = (observation: Float32Array) => Float32Array | number;

/**
 * Pendulum swing-up by energy pumping, then a linear balance controller near the top.
 * With θ̈ = (3g/2l)·sin θ + 3u (m = l = 1) the undriven energy E = ½θ̇² + (3g/2l)·cos θ is conserved
 * and equals 3g/2l at rest upright; dE/dt = 3u·θ̇, so u = u_max·sign((E* − E)·θ̇) pumps it up
 * (Åström & Furuta 2000). Within `captureAngle` of upright, u = −(k_θ·θ + k_ω·θ̇) places the
 * linearised closed-loop poles at −4 (critically damped, ω = 4 rad/s).
 */
export function pendulumEnergyController(captureAngle = 0.45): BehaviourPolicy {
  const k = (3 * PENDULUM.gravity) / (2 * PENDULUM.length);
  const omega = 4;
  const gainAngle = (omega * omega + k) / 3;
  const gainRate = (2 * omega) / 3;
  return (observation) => {
    const theta = Math.atan2(observation[1], observation[0]);
    const thetaDot = observation[2];
    let torque: number;
    if (Math.abs(normalizeAngle(theta)) < captureAngle) {
      torque = -(gainAngle * theta + gainRate * thetaDot);
    } else {
      const energy = 0.5 * thetaDot * thetaDot + k * Math.cos(theta);
      const pump = (k - energy) * thetaDot;
      torque = pump === 0 ? PENDULUM.maxTorque : PENDULUM.maxTorque * Math.sign(pump);
    }
    return Float32Array.of(clip(torque, -PENDULUM.maxTorque, PENDULUM.maxTorque));
  };
}

/** MountainCar by energy pumping: push in the direction of motion (full force), left when at rest. */
export function mountainCarEnergyController(): BehaviourPolicy {
  return (observation) => Float32Array.of(observation[1] > 0 ? 1 : -1);
}

/** CartPole: push toward the side the pole is falling, with a little cart centring. */
export function cartPoleBalanceController(): BehaviourPolicy {
  return (observation) => {
    const [x, xDot, theta, thetaDot] = observation;
    const lean = theta + 0.5 * thetaDot + 0.01 * x + 0.05 * xDot;
    return lean > 0 ? 1 : 0;
  };
}

/**
 * Point-maze waypoint controller (after D4RL's maze2d WaypointController): breadth-first search over
 * maze cells gives the next cell toward the target; a PD law steers to that cell's centre,
 * a = clip(k_p·(waypoint − p) − k_d·v, ±1), and the final waypoint is the target point itself.
 */
export function waypointAction(
  grid: MazeGrid,
  position: [number, number],
  velocity: [number, number],
  target: [number, number],
  gains = { proportional: 4, derivative: 1.2 },
): [number, number] {
  const here = grid.cellAt(position[0], position[1]);
  const targetCell = grid.cellAt(target[0], target[1]);
  let waypoint = target;
  if (here.row !== targetCell.row || here.col !== targetCell.col) {
    const next: Cell = grid.nextCellToward(here, targetCell);
    waypoint = next.row === targetCell.row && next.col === targetCell.col ? target : grid.cellCenter(next);
  }
  const ax = gains.proportional * (waypoint[0] - position[0]) - gains.derivative * velocity[0];
  const ay = gains.proportional * (waypoint[1] - position[1]) - gains.derivative * velocity[1];
  return [clip(ax, -1, 1), clip(ay, -1, 1)];
}

/** Add N(0, σ²) noise to each component and clip into [low, high]. */
export function addGaussianNoise(
  action: Float32Array,
  sigma: number,
  rng: Rng,
  low: Float32Array,
  high: Float32Array,
): Float32Array {
  const out = new Float32Array(action.length);
  for (let i = 0; i < action.length; i++) out[i] = clip(action[i] + sigma * rng.normal(), low[i], high[i]);
  return out;
}
