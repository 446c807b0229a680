/**
 * Which files the user interface may name. The UI (a browser tab holding the token, or the
 * desktop window) is trusted less than a user at a terminal: a page that got hold of the token, or
 * a compromised renderer, must not read, probe or overwrite arbitrary files through the engine.
 *
 * - Reads (dataset inspection, a run's dataset) stay inside the shipped datasets, the runs folder,
 *   the folders the user added (`o2o serve --data DIR`), and the files or folders the user picked
 *   in a native dialog.
 * - Writes (policy exports) stay inside the runs folder and the paths the user chose in a save
 *   dialog.
 *
 * A path outside is refused with the same message whether or not it exists, so a refusal reveals
 * nothing about the file system. Symbolic links are followed before the check, so a link inside an
 * allowed folder cannot lead outside it. The command line is not confined: its user names paths
 * directly.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ProtocolError } from '../common/protocol.js';

export type Access = 'read' | 'write';

export interface PathAccessOptions {
  /** Folders whose files the UI may read (each with everything below it). */
  readRoots: string[];
  /** Folders the UI may write into. */
  writeRoots: string[];
  /** How to tell the user where reading is allowed, for the refusal message. */
  readHint?: string;
  /** How to tell the user where writing is allowed. */
  writeHint?: string;
}

/** True when `path` is `root` or lies below it (both absolute and normalised). */
export function isWithin(root: string, path: string): boolean {
  const rest = relative(root, path);
  return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest (for files yet to be written). */
async function realPathOf(path: string): Promise<string> {
  let current = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest.push(basename(current));
      current = parent;
    }
  }
}

export class PathAccess {
  private readonly roots: Record<Access, string[]>;

  constructor(private readonly options: PathAccessOptions) {
    this.roots = {
      read: [...options.readRoots, ...options.writeRoots].map((root) => resolve(root)),
      write: options.writeRoots.map((root) => resolve(root)),
    };
  }

  /** Allow `path` (and, for a folder, everything below it): the user picked it in a native dialog. */
  grant(access: Access, path: string): void {
    const absolute = resolve(path);
    this.roots[access].push(absolute);
    if (access === 'write') this.roots.read.push(absolute);
  }

  /** The absolute, real path of `path` when the UI may read it; ProtocolError 'forbidden' otherwise. */
  checkRead(path: string): Promise<string> {
    return this.check('read', path);
  }

  /** The absolute, real path of `path` when the UI may write it; ProtocolError 'forbidden' otherwise. */
  checkWrite(path: string): Promise<string> {
    return this.check('write', path);
  }

  private async check(access: Access, path: string): Promise<string> {
    const absolute = resolve(path);
    const roots = this.roots[access];
    if (roots.some((root) => isWithin(root, absolute))) {
      const real = await realPathOf(absolute);
      const realRoots = await Promise.all(roots.map(realPathOf));
      if (realRoots.some((root) => isWithin(root, real))) return real;
    }
    throw new ProtocolError(this.refusal(access, absolute), 'forbidden');
  }

  private refusal(access: Access, path: string): string {
    if (access === 'read') {
      return `${path} is outside the folders this app may read${this.options.readHint ? ` (${this.options.readHint})` : ''}`;
    }
    return `${path} is outside the folders this app may write${this.options.writeHint ? ` (${this.options.writeHint})` : ''}`;
  }
}
