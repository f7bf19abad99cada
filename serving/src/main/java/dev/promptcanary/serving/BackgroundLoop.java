package dev.promptcanary.serving;

/**
 * The daemon thread a background refresh (the server's routing listener, the SDK's routing poll and
 * reporter) runs its loop on, and how it is stopped: the loop checks {@link #running()}, and {@link
 * #stop()} clears it, interrupts whatever wait the loop is in and gives the thread two seconds to
 * end (a daemon never keeps the JVM alive).
 */
public final class BackgroundLoop {
  private final Thread thread;
  private volatile boolean running = true;

  public BackgroundLoop(String name, Runnable loop) {
    this.thread = new Thread(loop, name);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public boolean running() {
    return running;
  }

  public void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
