/**
 * File-system failures in words a user can act on ("the disk is full"), instead of Node's
 * "ENOSPC: no space left on device, write".
 */

const SENTENCES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EIO: 'the disk reported an input/output error',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open on this system',
  ENOENT: 'a file or folder it needs has disappeared (was it moved or deleted?)',
  ENOTDIR: 'a path it needs is not a folder',
  EISDIR: 'a path it needs is a folder, not a file',
  EFBIG: 'a file grew beyond the size the system allows',
  ENAMETOOLONG: 'a path is too long',
  EBUSY: 'a file is in use by another program',
};

/** One sentence for a file-system error (code and path), or undefined for any other error. */
export function describeFileError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, dest } = error as NodeJS.ErrnoException & { dest?: string };
  if (typeof code !== 'string' || !(code in SENTENCES)) return undefined;
  const where = path ? ` (${path}${dest ? ` → ${dest}` : ''})` : '';
  return `${SENTENCES[code]}${where}`;
}
