package io.github.hopmixer.train;

import io.github.hopmixer.io.FileErrors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * {@code DIR/.lock}: an OS file lock held for as long as one process works in a run directory, with that
 * process's pid written in the file for the message another process gets. The OS drops the lock when its holder
 * dies, however it dies, so a lock file left by a killed run is stale and simply taken over.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";
    /**
     * Lock files this JVM holds. A second channel must never be opened on one of them: on Linux, closing any
     * channel to a file drops every lock the process holds on it.
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code dir} (which must exist) or fails with one line naming the holder's pid. */
    public static RunLock acquire(Path dir) {
        Path file = key(dir.resolve(FILE));
        if (!HELD.add(file)) throw inUse(dir, file, Long.toString(ProcessHandle.current().pid()));
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very process (another command in the same JVM)
            }
            if (lock == null) {
                String holder = readPid(ch);
                ch.close();
                HELD.remove(file);
                throw inUse(dir, file, holder);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new RunLock(file, ch, lock);
        } catch (IOException e) {
            HELD.remove(file);
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the original error matters more
                }
            }
            throw FileErrors.failure("cannot lock run " + dir + " (" + file + ")", e);
        }
    }

    /** The pid holding {@code dir}'s lock, if a live process holds it; creates nothing. */
    public static Optional<String> holder(Path dir) {
        Path file = key(dir.resolve(FILE));
        if (HELD.contains(file)) return Optional.of(Long.toString(ProcessHandle.current().pid()));
        if (!Files.isRegularFile(file)) return Optional.empty();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                probe = null;
            }
            if (probe != null) {
                probe.release();
                return Optional.empty();
            }
            return Optional.of(readPid(ch));
        } catch (IOException e) {
            return Optional.empty(); // unreadable: acquire() will report it
        }
    }

    private static IllegalStateException inUse(Path dir, Path file, String pid) {
        return new IllegalStateException("run " + dir + " is in use by process " + pid + " (lock " + file
                + "); wait for it to finish, or train into a fresh --output");
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    private static String readPid(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        ch.read(b, 0);
        String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        return pid.matches("\\d+") ? pid : "(unknown pid)";
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing the channel releases the lock in any case; nothing to keep
        } finally {
            HELD.remove(file);
        }
    }
}
