package dev.promptcanary.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to the API: the connection options and the output stream. */
abstract class ApiCommand implements Callable<Integer> {
  @Mixin Connection connection;

  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Where a following command draws its progress: nowhere when it answers with JSON at the end. */
  PrintWriter progressOut(boolean json) {
    return json ? new PrintWriter(java.io.OutputStream.nullOutputStream()) : out();
  }

  @Override
  public final Integer call() throws Exception {
    int code = run(connection.client());
    out().flush();
    return code;
  }

  abstract int run(ApiClient api) throws Exception;
}
