package dev.graft.demo;

import java.nio.file.Path;

/** A process that starts a {@link LocalBroker}, prints its pid and waits to be stopped. */
final class HoldBroker {
  private HoldBroker() {}

  public static void main(String[] args) throws InterruptedException {
    LocalBroker broker = LocalBroker.start(Path.of(args[0]));
    System.out.println(broker.pid());
    System.out.flush();
    Thread.sleep(60_000);
    broker.close();
  }
}
