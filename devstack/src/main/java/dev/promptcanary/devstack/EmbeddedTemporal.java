package dev.promptcanary.devstack;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's Java test server on a real gRPC port, in real time (what {@code
 * TestServer.createPortBoundServer(port, true)} builds), plus the one piece of a real server's
 * behaviour that workers in other processes need from it: the sticky queue timeout ({@link
 * StickyQueueTimeout}), so a rollout whose worker was killed carries on in another.
 */
public final class EmbeddedTemporal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTemporal.class);
  private final TestServicesStarter services;
  private final Server server;
  private final ManagedChannel channel;
  private final StickyQueueTimeout stickyQueueTimeout;

  private EmbeddedTemporal(
      TestServicesStarter services,
      Server server,
      ManagedChannel channel,
      StickyQueueTimeout stickyQueueTimeout) {
    this.services = services;
    this.server = server;
    this.channel = channel;
    this.stickyQueueTimeout = stickyQueueTimeout;
  }

  /** Starts the server on {@code port} (all interfaces). */
  public static EmbeddedTemporal start(int port) {
    // lockTimeSkipping = true: real time, as a cluster has.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    StickyQueueTimeout stickyQueueTimeout = new StickyQueueTimeout();
    Server server;
    try {
      ServerBuilder<?> builder =
          Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
      GRPCServerHelper.registerServicesAndHealthChecks(
          services.getServices(), builder, List.of(stickyQueueTimeout));
      server = builder.build().start();
    } catch (IOException e) {
      services.close();
      throw new UncheckedIOException(
          "cannot start the embedded Temporal server on port " + port, e);
    }
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
    stickyQueueTimeout.start(channel);
    return new EmbeddedTemporal(services, server, channel, stickyQueueTimeout);
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    stickyQueueTimeout.close();
    channel.shutdownNow();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("embedded Temporal did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    services.close();
    server.shutdownNow();
  }
}
