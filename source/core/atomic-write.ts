// Replacing a file's content atomically and durably; the steps (staging,
// fsync, read-back, rename, the folder's fsync) are in publish-file.ts and
// the file operations they use in file-ops.ts.
import {publishFile, type AtomicWriteOptions} from './publish-file.js';

/**
 * Replaces `file` with `data` so that a reader sees the old or the new
 * content, never a mix, and so that a failure leaves the old content
 * byte-identical. The bytes are staged next to the target (every byte
 * accounted for: a full disk or `ulimit -f` fails the write instead of
 * publishing a truncated file), fsynced, read back and compared byte for
 * byte with what was meant, then renamed onto the target, and the folder is
 * fsynced so the rename survives a crash. A symlink at `file` is refused
 * rather than replaced.
 *
 * The small metadata calls (open, write, read back, rename) are synchronous:
 * each takes microseconds on a local folder, while the same call through
 * the thread pool costs a round trip several times that, and a state update
 * makes a dozen of them. The fsyncs, which wait for the disk, stay
 * asynchronous.
 */
export async function atomicWriteFile(file: string, data: string | Buffer, options: AtomicWriteOptions = {}): Promise<void> {
	const syncFolder = await publishFile(file, data, options);
	await syncFolder();
}
