package io.samtykke.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * An exclusive OS lock on {@code <home>/cluster.lock}, so a second launcher on the same data
 * folder refuses to start instead of fighting over ports and files. The OS drops the lock when
 * the process ends, however it ends, so a crash never leaves a stale lock behind.
 */
final class ClusterLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private ClusterLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty when another process holds it. */
    static Optional<ClusterLock> tryAcquire(Path home) throws IOException {
        FileChannel channel = FileChannel.open(file(home),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        return Optional.of(new ClusterLock(channel, lock));
    }

    /** The pid written by the process holding the lock, for the "already running" message. */
    static String holderPid(Path home) {
        try {
            return Files.readString(file(home), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Path file(Path home) {
        return home.resolve("cluster.lock");
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
