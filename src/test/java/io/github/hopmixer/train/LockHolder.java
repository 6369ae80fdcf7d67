package io.github.hopmixer.train;

import java.nio.file.Path;

/** A child process for the lock tests: holds a run directory's lock until killed, saying "locked" once it does. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws InterruptedException {
        RunLock lock = RunLock.acquire(Path.of(args[0]));
        System.out.println("locked " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(600_000);
        lock.close();
    }
}
