package dev.promptcanary.api.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.promptcanary.activities.eval.CreatedSuite;
import dev.promptcanary.activities.eval.EvalCase;
import dev.promptcanary.activities.eval.EvalGate;
import dev.promptcanary.activities.eval.EvalSuite;
import dev.promptcanary.activities.eval.SuiteProblem;
import dev.promptcanary.activities.eval.SuiteValidator;
import dev.promptcanary.activities.store.Actor;
import dev.promptcanary.activities.store.EvalDao;
import io.dropwizard.db.ManagedDataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code eval-suite load FILE [CONFIG]}: stores an eval suite from a YAML or JSON file of the same
 * shape as the body of {@code POST /v1/eval-suites}, validated the same way. Loading the same suite
 * again changes nothing.
 */
public class EvalSuiteCommand extends DatabaseCommand {
  private static final ObjectMapper YAML = new YAMLMapper();

  /** A suite file: the suite, and optionally who wrote it (the OS user otherwise). */
  record SuiteFile(String name, List<EvalCase> cases, EvalGate gate, String author) {}

  public EvalSuiteCommand() {
    super("eval-suite", "Eval suites: 'load FILE' stores a suite from a YAML or JSON file");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("load").help("what to do: load");
    subparser.addArgument("suite").help("the suite file, YAML or JSON");
    super.configure(subparser);
  }

  @Override
  void run(Namespace namespace, ManagedDataSource dataSource, Jdbi jdbi) throws IOException {
    CreatedSuite result = load(jdbi, Path.of(namespace.getString("suite")));
    System.out.printf(
        "%s eval suite %s v%d (%d cases)%n",
        result.created() ? "stored" : "unchanged, already stored as",
        result.suite().name(),
        result.suite().version(),
        result.suite().definition().cases().size());
  }

  /**
   * Reads, validates and stores the suite in {@code file}; IllegalArgumentException lists every
   * problem.
   */
  public static CreatedSuite load(Jdbi jdbi, Path file) throws IOException {
    SuiteFile parsed = YAML.readValue(file.toFile(), SuiteFile.class);
    EvalSuite suite = new EvalSuite(parsed.name(), parsed.cases(), parsed.gate());
    List<SuiteProblem> problems = SuiteValidator.validate(suite);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          file
              + " is not a valid eval suite:\n"
              + problems.stream()
                  .map(p -> "  " + p.field() + ": " + p.message())
                  .collect(Collectors.joining("\n")));
    }
    String author =
        parsed.author() == null || parsed.author().isBlank()
            ? System.getProperty("user.name")
            : parsed.author();
    // Loaded against the database, not through the API: the audit log says so.
    return jdbi.onDemand(EvalDao.class).createSuite(suite, author, new Actor(author, "cli"));
  }
}
