package dev.promptcanary.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code promptcanary prompt|suite|eval|rollout ...}: the operator's command line over the REST
 * API.
 *
 * <p>Exit codes: 0 done (and for {@code rollout watch}: PROMOTED or BYPASSED; for {@code eval run}:
 * the gate passed), 1 ROLLED_BACK, ABORTED or EVAL_BLOCKED ({@code watch}) or the gate failed
 * ({@code eval run}), 2 held for a person ({@code watch}), 3 the {@code --timeout} of {@code watch}
 * or {@code eval run} passed, 4 an error (the API refused the request or could not be reached; one
 * line on standard error), 64 a command line that does not parse.
 */
@Command(
    name = "promptcanary",
    mixinStandardHelpOptions = true,
    version = "promptcanary CLI",
    description = "Prompt versions, eval suites, eval runs and rollouts, over the REST API.",
    subcommands = {
      PromptCommands.class,
      SuiteCommands.class,
      EvalCommands.class,
      RolloutCommands.class
    },
    footer = {
      "",
      "URL and key: --url/--api-key or PROMPTCANARY_URL/PROMPTCANARY_API_KEY.",
      "Exit codes: 0 ok (watch: PROMOTED/BYPASSED; eval run: the gate passed),",
      "1 watch: ROLLED_BACK/ABORTED/EVAL_BLOCKED, eval run: the gate failed,",
      "2 watch: held for a person, 3 watch/eval run: --timeout passed, 4 error, 64 usage."
    })
public final class PromptCanaryCli {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int HELD = 2;
  public static final int TIMED_OUT = 3;
  public static final int ERROR = 4;
  public static final int USAGE = 64;

  /** The first arguments this CLI answers; the jar hands every other command to Dropwizard. */
  public static final Set<String> COMMANDS = Set.of("prompt", "suite", "eval", "rollout");

  public static boolean handles(String[] args) {
    return args.length > 0 && COMMANDS.contains(args[0]);
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /** Runs one command line; the exit code. {@code env} gives the URL and key defaults. */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    CommandLine cli = new CommandLine(new PromptCanaryCli());
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cli.setDefaultValueProvider(
        option -> {
          if (!(option instanceof CommandLine.Model.OptionSpec o)) {
            return null;
          }
          return switch (o.longestName()) {
            case "--url" -> env.get("PROMPTCANARY_URL");
            case "--api-key" -> env.get("PROMPTCANARY_API_KEY");
            default -> null;
          };
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          PrintWriter errors = commandLine.getErr();
          if (e instanceof ApiError api) {
            errors.println(api.line());
          } else if (e instanceof InterruptedException) {
            errors.println("error: interrupted");
          } else {
            errors.println("error: " + ApiError.oneLine(String.valueOf(e)));
          }
          errors.flush();
          return ERROR;
        });
    cli.setParameterExceptionHandler(
        (e, args1) -> {
          PrintWriter errors = e.getCommandLine().getErr();
          errors.println("error: " + ApiError.oneLine(e.getMessage()));
          errors.println(
              "(see: " + e.getCommandLine().getCommandSpec().qualifiedName(" ") + " --help)");
          errors.flush();
          return USAGE;
        });
    int code = cli.execute(args);
    cli.getOut().flush();
    cli.getErr().flush();
    return code;
  }
}
