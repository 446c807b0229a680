/**
 * Crash-safe file writes: a reader sees either the old file or the complete new one, never a
 * torn write. The data goes to a temporary file in the same directory, is fsynced, renamed over
 * the target (atomic on POSIX within one filesystem), and the directory entry is fsynced.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

function fsyncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory for fsync; the rename is still atomic.
  }
}

/** Write `chunks` to `path` atomically (synchronous; for small files and shutdown paths). */
export function writeFileAtomicSync(path: string, ...chunks: (Uint8Array | string)[]): void {
  const temporary = temporaryPathFor(path);
  const fd = openSync(temporary, 'w');
  try {
    for (const chunk of chunks) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let offset = 0;
      while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  fsyncDirectory(dirname(path));
}

/** Write `chunks` to `path` atomically. */
export async function writeFileAtomic(path: string, ...chunks: (Uint8Array | string)[]): Promise<void> {
  const temporary = temporaryPathFor(path);
  const handle = await open(temporary, 'w');
  try {
    for (const chunk of chunks)
      await handle.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
  fsyncDirectory(dirname(path));
}
