/**
 * Reading a path that should name a regular file. A FIFO, a socket or a device at that path would
 * block `open()` or `read()` until another process writes to it (or stream without end), freezing
 * whatever waits for the read. So the type is checked before opening, the file is opened without
 * blocking, and the type is checked again on the open descriptor (the path may have been swapped
 * in between). The asynchronous reader never blocks the event loop; the synchronous one is for
 * small files read by the command line.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** The path exists but is not a regular file (code ENOTREGULAR), or is a directory (code EISDIR). */
export class NotRegularFileError extends Error {
  readonly code: 'ENOTREGULAR' | 'EISDIR';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
    this.code = kind === 'a directory' ? 'EISDIR' : 'ENOTREGULAR';
  }
}

/** What a non-regular file is, in words ("a FIFO (named pipe)", "a socket", …). */
export function fileKind(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function checkRegular(path: string, stats: Stats): void {
  if (!stats.isFile()) throw new NotRegularFileError(path, fileKind(stats));
}

/** Open flags: read-only, and non-blocking where the platform has it (a no-op for regular files). */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * The whole of a regular file in one buffer of exactly its size (so typed-array views into it are
 * aligned), read with large asynchronous reads. Throws NotRegularFileError for anything else, and
 * the file system's error (ENOENT, EACCES, …) when it cannot be read.
 */
export async function readRegularFile(path: string): Promise<Uint8Array> {
  checkRegular(path, await stat(path));
  const handle = await open(path, READ_FLAGS);
  try {
    const info = await handle.stat();
    checkRegular(path, info);
    const size = info.size;
    const bytes = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === size ? bytes : bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/** As `readRegularFile`, synchronously (small files on the command line, never on a server's loop). */
export function readRegularFileSync(path: string): Buffer {
  checkRegular(path, statSync(path));
  const fd = openSync(path, READ_FLAGS);
  try {
    const info = fstatSync(fd);
    checkRegular(path, info);
    const bytes = Buffer.allocUnsafe(info.size);
    let offset = 0;
    while (offset < info.size) {
      const bytesRead = readSync(fd, bytes, offset, info.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === info.size ? bytes : bytes.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}

/** A regular file's text (UTF-8), synchronously. */
export function readRegularTextFileSync(path: string): string {
  return readRegularFileSync(path).toString('utf8');
}
