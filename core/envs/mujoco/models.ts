/**
 * The project's MJCF models, in local coordinates (each body's position is relative to its
 * parent). They rebuild the bodies of Gymnasium's v4 locomotion tasks and D4RL's AntMaze ant —
 * the same segment lengths, radii, joint ranges, gears, solver and contact settings — so that the
 * tasks' dynamics and reward scales match; the files are our own and differ in layout and naming.
 * Capsules are written with `fromto` in the parent body's frame; masses come from the geoms
 * (`inertiafromgeom`, MuJoCo's default density 1000 unless stated). MuJoCo's automatic reset on a
 * bad state is off: the environments report a divergence instead of continuing from qpos0.
 */

/**
 * Memory for contacts and constraints per MjData. MuJoCo's default (≈ 14 MB per MjData) is
 * committed WebAssembly memory here, which never shrinks and is capped at 2 GiB; these tasks use
 * about 20 KB, mostly RK4's stack (random rollouts: at most 4 contacts, 21 constraint rows), so
 * 2 MiB leaves a hundredfold margin while ten evaluation environments stay near 20 MiB. (Were it
 * ever too small, MuJoCo's stack allocation fails and the step throws its "out of memory" error.)
 */
export const ARENA = '2M';
import type { MazeLayout } from '../maze-layouts.js';

/** One-legged planar hopper (after Gymnasium Hopper-v4): torso, thigh, leg, foot; 3 motors of gear 200. */
export const HOPPER_XML = `<mujoco model="o2o-hopper">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option timestep="0.002" integrator="RK4">
    <flag autoreset="disable"/>
  </option>
  <size memory="${ARENA}"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom type="capsule" condim="1" margin="0.001" solimp="0.8 0.8 0.01 0.5 2" friction="0.9 0.005 0.0001" rgba="0.8 0.6 0.4 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1" gear="200"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" size="20 20 0.125" condim="3" friction="1 0.005 0.0001" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="slide_x" type="slide" axis="1 0 0" limited="false" armature="0" damping="0"/>
      <joint name="slide_z" type="slide" axis="0 0 1" ref="1.25" limited="false" armature="0" damping="0"/>
      <joint name="pitch" type="hinge" axis="0 1 0" limited="false" armature="0" damping="0"/>
      <geom name="torso" fromto="0 0 0.2 0 0 -0.2" size="0.05"/>
      <body name="thigh" pos="0 0 -0.2">
        <joint name="hip" type="hinge" axis="0 -1 0" range="-150 0"/>
        <geom name="thigh" fromto="0 0 0 0 0 -0.45" size="0.05"/>
        <body name="shin" pos="0 0 -0.45">
          <joint name="knee" type="hinge" axis="0 -1 0" range="-150 0"/>
          <geom name="shin" fromto="0 0 0 0 0 -0.5" size="0.04"/>
          <body name="foot" pos="0 0 -0.5">
            <joint name="ankle" type="hinge" axis="0 -1 0" range="-45 45"/>
            <geom name="foot" fromto="-0.13 0 0 0.26 0 0" size="0.06" friction="2 0.005 0.0001"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="hip" joint="hip"/>
    <motor name="knee" joint="knee"/>
    <motor name="ankle" joint="ankle"/>
  </actuator>
</mujoco>
`;

function walkerLeg(side: string, footFriction: number, rgba: string): string {
  return `<body name="thigh_${side}" pos="0 0 -0.2">
        <joint name="hip_${side}" type="hinge" axis="0 -1 0" range="-150 0"/>
        <geom name="thigh_${side}" fromto="0 0 0 0 0 -0.45" size="0.05" friction="0.9 0.1 0.1" rgba="${rgba}"/>
        <body name="shin_${side}" pos="0 0 -0.45">
          <joint name="knee_${side}" type="hinge" axis="0 -1 0" range="-150 0"/>
          <geom name="shin_${side}" fromto="0 0 0 0 0 -0.5" size="0.04" friction="0.9 0.1 0.1" rgba="${rgba}"/>
          <body name="foot_${side}" pos="0 0 -0.5">
            <joint name="ankle_${side}" type="hinge" axis="0 -1 0" range="-45 45"/>
            <geom name="foot_${side}" fromto="0 0 0 0.2 0 0" size="0.06" friction="${footFriction} 0.1 0.1" rgba="${rgba}"/>
          </body>
        </body>
      </body>`;
}

/**
 * Two-legged planar walker (after Gymnasium Walker2d-v4): the hopper's torso with two of its legs
 * (feet 0.2 long, ahead of the ankle), 6 motors of gear 100; the left foot grips harder (friction 1.9).
 */
export const WALKER2D_XML = `<mujoco model="o2o-walker2d">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option timestep="0.002" integrator="RK4">
    <flag autoreset="disable"/>
  </option>
  <size memory="${ARENA}"/>
  <default>
    <joint limited="true" armature="0.01" damping="0.1"/>
    <geom type="capsule" conaffinity="0" friction="0.7 0.1 0.1" rgba="0.8 0.6 0.4 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1" gear="100"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" size="40 40 40" conaffinity="1" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="slide_x" type="slide" axis="1 0 0" limited="false" armature="0" damping="0"/>
      <joint name="slide_z" type="slide" axis="0 0 1" ref="1.25" limited="false" armature="0" damping="0"/>
      <joint name="pitch" type="hinge" axis="0 1 0" limited="false" armature="0" damping="0"/>
      <geom name="torso" fromto="0 0 0.2 0 0 -0.2" size="0.05" friction="0.9 0.1 0.1"/>
      ${walkerLeg('right', 0.9, '0.8 0.6 0.4 1')}
      ${walkerLeg('left', 1.9, '0.7 0.3 0.6 1')}
    </body>
  </worldbody>
  <actuator>
    <motor name="hip_right" joint="hip_right"/>
    <motor name="knee_right" joint="knee_right"/>
    <motor name="ankle_right" joint="ankle_right"/>
    <motor name="hip_left" joint="hip_left"/>
    <motor name="knee_left" joint="knee_left"/>
    <motor name="ankle_left" joint="ankle_left"/>
  </actuator>
</mujoco>
`;

/**
 * Planar two-legged runner (after Gymnasium HalfCheetah-v4): a 1 m spine with a head, back and
 * front legs of three segments each on stiff, damped joints; total mass 14; 6 motors with gears
 * 120/90/60 (back thigh, shin, foot) and 120/60/30 (front). Segment capsules are placed by centre
 * and tilt about the y axis (`axisangle`, radians).
 */
export const HALFCHEETAH_XML = `<mujoco model="o2o-halfcheetah">
  <compiler angle="radian" inertiafromgeom="true" settotalmass="14"/>
  <option timestep="0.01" gravity="0 0 -9.81">
    <flag autoreset="disable"/>
  </option>
  <size memory="${ARENA}"/>
  <default>
    <joint limited="true" armature="0.1" damping="0.01" stiffness="8" solreflimit="0.02 1" solimplimit="0 0.8 0.03"/>
    <geom type="capsule" size="0.046" contype="1" conaffinity="0" condim="3" friction="0.4 0.1 0.1" solref="0.02 1" solimp="0 0.8 0.01" rgba="0.8 0.6 0.4 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" size="40 40 40" conaffinity="1" condim="3" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 0.7">
      <joint name="slide_x" type="slide" axis="1 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="slide_z" type="slide" axis="0 0 1" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="pitch" type="hinge" axis="0 1 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="spine" fromto="-0.5 0 0 0.5 0 0"/>
      <geom name="head" pos="0.6 0 0.1" axisangle="0 1 0 0.87" size="0.046 0.15"/>
      <body name="back_thigh" pos="-0.5 0 0">
        <joint name="back_hip" type="hinge" axis="0 1 0" range="-0.52 1.05" stiffness="240" damping="6"/>
        <geom name="back_thigh" pos="0.1 0 -0.13" axisangle="0 1 0 -3.8" size="0.046 0.145"/>
        <body name="back_shin" pos="0.16 0 -0.25">
          <joint name="back_knee" type="hinge" axis="0 1 0" range="-0.785 0.785" stiffness="180" damping="4.5"/>
          <geom name="back_shin" pos="-0.14 0 -0.07" axisangle="0 1 0 -2.03" size="0.046 0.15" rgba="0.9 0.6 0.6 1"/>
          <body name="back_foot" pos="-0.28 0 -0.14">
            <joint name="back_ankle" type="hinge" axis="0 1 0" range="-0.4 0.785" stiffness="120" damping="3"/>
            <geom name="back_foot" pos="0.03 0 -0.097" axisangle="0 1 0 -0.27" size="0.046 0.094" rgba="0.9 0.6 0.6 1"/>
          </body>
        </body>
      </body>
      <body name="front_thigh" pos="0.5 0 0">
        <joint name="front_hip" type="hinge" axis="0 1 0" range="-1 0.7" stiffness="180" damping="4.5"/>
        <geom name="front_thigh" pos="-0.07 0 -0.12" axisangle="0 1 0 0.52" size="0.046 0.133"/>
        <body name="front_shin" pos="-0.14 0 -0.24">
          <joint name="front_knee" type="hinge" axis="0 1 0" range="-1.2 0.87" stiffness="120" damping="3"/>
          <geom name="front_shin" pos="0.065 0 -0.09" axisangle="0 1 0 -0.6" size="0.046 0.106" rgba="0.9 0.6 0.6 1"/>
          <body name="front_foot" pos="0.13 0 -0.18">
            <joint name="front_ankle" type="hinge" axis="0 1 0" range="-0.5 0.5" stiffness="60" damping="1.5"/>
            <geom name="front_foot" pos="0.045 0 -0.07" axisangle="0 1 0 -0.6" size="0.046 0.07" rgba="0.9 0.6 0.6 1"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="back_hip" joint="back_hip" gear="120"/>
    <motor name="back_knee" joint="back_knee" gear="90"/>
    <motor name="back_ankle" joint="back_ankle" gear="60"/>
    <motor name="front_hip" joint="front_hip" gear="120"/>
    <motor name="front_knee" joint="front_knee" gear="60"/>
    <motor name="front_ankle" joint="front_ankle" gear="30"/>
  </actuator>
</mujoco>
`;

/**
 * One ant leg: a fixed 0.2 strut from the torso along (dx, dy), a hip rotating about z, a 0.2 upper
 * segment and a 0.4 lower one on an ankle whose axis lies in the ground plane, across the leg.
 */
function antLeg(name: string, dx: number, dy: number, ankleAxis: string, ankleRange: string): string {
  return `<body name="strut_${name}">
        <geom name="strut_${name}" fromto="0 0 0 ${0.2 * dx} ${0.2 * dy} 0"/>
        <body name="upper_${name}" pos="${0.2 * dx} ${0.2 * dy} 0">
          <joint name="hip_${name}" type="hinge" axis="0 0 1" range="-30 30"/>
          <geom name="upper_${name}" fromto="0 0 0 ${0.2 * dx} ${0.2 * dy} 0"/>
          <body name="lower_${name}" pos="${0.2 * dx} ${0.2 * dy} 0">
            <joint name="ankle_${name}" type="hinge" axis="${ankleAxis}" range="${ankleRange}"/>
            <geom name="lower_${name}" fromto="0 0 0 ${0.4 * dx} ${0.4 * dy} 0"/>
          </body>
        </body>
      </body>`;
}

/**
 * The four legs (+x is front, +y left) in the body order that fixes the joints' places in qpos,
 * with the ankle axes and ranges (degrees) of the source models, so that joint angles and torques
 * keep their signs.
 */
const ANT_LEGS = [
  antLeg('front_left', 1, 1, '-1 1 0', '30 70'),
  antLeg('back_left', -1, 1, '1 1 0', '-70 -30'),
  antLeg('back_right', -1, -1, '-1 1 0', '-70 -30'),
  antLeg('front_right', 1, -1, '1 1 0', '30 70'),
].join('\n      ');

/** Actuator order of the source models (the action vector's layout): front right first. */
const ANT_ACTUATED_LEGS = ['front_right', 'front_left', 'back_left', 'back_right'];

interface AntModelOptions {
  name: string;
  timestep: number;
  gear: number;
  /** Extra <default> geom attributes (contact softness). */
  contact: string;
  /** Extra worldbody geoms (maze walls). */
  scenery?: string;
}

function antXml(options: AntModelOptions): string {
  const motors = ANT_ACTUATED_LEGS.flatMap((leg) => [
    `<motor name="hip_${leg}" joint="hip_${leg}"/>`,
    `<motor name="ankle_${leg}" joint="ankle_${leg}"/>`,
  ]).join('\n    ');
  return `<mujoco model="${options.name}">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option timestep="${options.timestep}" integrator="RK4">
    <flag autoreset="disable"/>
  </option>
  <size memory="${ARENA}"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom type="capsule" size="0.08" condim="3" conaffinity="0" margin="0.01" friction="1 0.5 0.5" density="5" ${options.contact} rgba="0.8 0.6 0.4 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1" gear="${options.gear}"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" size="40 40 40" conaffinity="1" rgba="0.8 0.9 0.8 1"/>
    ${options.scenery ?? ''}
    <body name="torso" pos="0 0 0.75">
      <joint name="root" type="free" limited="false" armature="0" damping="0" margin="0.01"/>
      <geom name="torso" type="sphere" size="0.25" rgba="0.3 0.9 0.5 1"/>
      ${ANT_LEGS}
    </body>
  </worldbody>
  <actuator>
    ${motors}
  </actuator>
</mujoco>
`;
}

/**
 * Quadruped on a free joint (after Gymnasium Ant-v4): a 0.25 sphere with four two-segment legs,
 * density 5, RK4 at 0.01 s, 8 motors of gear 150.
 */
export const ANT_XML = antXml({ name: 'o2o-ant', timestep: 0.01, gear: 150, contact: '' });

/** Maze geometry of the ant mazes (D4RL AntMaze): cells 4 × 4, walls 2 high, start cell at the origin. */
export const ANT_MAZE_SCALE = 4;
export const ANT_MAZE_WALL_HEIGHT = 2;

/** World centre of cell (row, col) when `start` is at the origin (D4RL: x = col·s − x₀, y = row·s − y₀). */
export function antMazeCellCenter(
  row: number,
  col: number,
  start: { row: number; col: number },
): [number, number] {
  return [(col - start.col) * ANT_MAZE_SCALE, (row - start.row) * ANT_MAZE_SCALE];
}

/**
 * The ant of D4RL's AntMaze (RK4 at 0.02 s, softer contacts, torque ±30 per unit action) in a maze
 * of box walls, one per wall cell of `layout`.
 */
export function antMazeXml(layout: MazeLayout, start: { row: number; col: number }): string {
  const half = ANT_MAZE_SCALE / 2;
  const walls: string[] = [];
  layout.rows.forEach((row, r) =>
    [...row].forEach((cell, c) => {
      if (cell !== '#') return;
      const [x, y] = antMazeCellCenter(r, c, start);
      walls.push(
        `<geom name="wall_${r}_${c}" type="box" pos="${x} ${y} ${ANT_MAZE_WALL_HEIGHT / 2}" size="${half} ${half} ${ANT_MAZE_WALL_HEIGHT / 2}" contype="1" conaffinity="1" rgba="0.7 0.5 0.3 1"/>`,
      );
    }),
  );
  return antXml({
    name: `o2o-antmaze-${layout.name}`,
    timestep: 0.02,
    gear: 30,
    contact: 'solref="0.02 1" solimp="0.8 0.8 0.01"',
    scenery: walls.join('\n    '),
  });
}
