package dev.promptcanary.sdk;

/**
 * The daemon thread the reporter and the routing each run their loop on, and how it is stopped: the
 * loop checks {@link #running()}, and {@link #stop()} clears it, interrupts whatever wait the loop
 * is in and gives the thread two seconds to end (a daemon never keeps the app's JVM alive).
 */
final class BackgroundLoop {
  private final Thread thread;
  private volatile boolean running = true;

  BackgroundLoop(String name, Runnable loop) {
    this.thread = new Thread(loop, name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean running() {
    return running;
  }

  void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
