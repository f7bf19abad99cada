package dev.promptcanary.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency direction of the modules, and the purity of workflow code, as executable rules.
 */
@AnalyzeClasses(
    packages = "dev.promptcanary",
    importOptions = {
      ImportOption.DoNotIncludeTests.class,
      ArchitectureTest.DoNotIncludeTestJars.class
    })
class ArchitectureTest {
  /** Other modules' test classes (their {@code -tests.jar}) are tests too, not production code. */
  static final class DoNotIncludeTestJars implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("-tests.jar") && !location.contains("/test-classes/");
    }
  }

  @ArchTest
  static final ArchRule layersPointOneWay =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("workflows")
          .definedBy("dev.promptcanary.workflows..")
          .layer("activities")
          .definedBy("dev.promptcanary.activities..")
          .layer("worker")
          .definedBy("dev.promptcanary.worker..")
          .layer("api")
          .definedBy("dev.promptcanary.api..")
          .whereLayer("api")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("worker")
          .mayOnlyBeAccessedByLayers("api")
          .whereLayer("activities")
          .mayOnlyBeAccessedByLayers("worker", "api")
          .whereLayer("workflows")
          .mayOnlyBeAccessedByLayers("activities", "worker", "api");

  @ArchTest
  static final ArchRule servingNeedsTheJdkOnly =
      classes()
          .that()
          .resideInAPackage("dev.promptcanary.serving..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage("dev.promptcanary.serving..", "java..")
          .because(
              "the Java SDK ships serving/ to apps: it depends on nothing of the project (the server's"
                  + " modules depend on it) and on no library (the SDK's only one is Jackson)");

  @ArchTest
  static final ArchRule workflowsTouchNothingOutside =
      noClasses()
          .that()
          .resideInAPackage("dev.promptcanary.workflows..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "java.net..",
              "java.sql..",
              "javax.sql..",
              "java.nio.file..",
              "org.jdbi..",
              "io.dropwizard..",
              "org.postgresql..",
              "java.util.concurrent..")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.File")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.lang.Thread")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.time.Clock")
          .because(
              "workflow code must be deterministic: no I/O, no threads, no clocks but Workflow's");

  @ArchTest
  static final ArchRule workflowsUseWorkflowTimeAndRandomness =
      noClasses()
          .that()
          .resideInAPackage("dev.promptcanary.workflows..")
          .should()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(java.util.UUID.class, "randomUUID")
          .orShould()
          .callMethod(Math.class, "random")
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(java.util.Random.class)
          .because(
              "workflow code replays: time, ids and randomness come from Workflow.currentTimeMillis,"
                  + " Workflow.randomUUID and Workflow.newRandom");

  @ArchTest
  static final ArchRule productionCodeStaysOffTemporalInternalsAndTheTestkit =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.promptcanary.workflows..",
              "dev.promptcanary.activities..",
              "dev.promptcanary.worker..",
              "dev.promptcanary.api..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.temporal.internal..",
              "io.temporal.testserver..",
              "dev.promptcanary.testkit..",
              "io.zonky..")
          .because(
              "the test server's internals, embedded PostgreSQL and the model simulator belong to the dev stack"
                  + " (devstack/) and to tests; a Temporal SDK upgrade must not break production code");

  @ArchTest
  static final ArchRule apiDoesNotReachIntoActivityImplementations =
      noClasses()
          .that()
          .resideInAPackage("dev.promptcanary.api..")
          .should()
          .dependOnClassesThat()
          .haveSimpleNameEndingWith("ActivitiesImpl")
          .because("the API talks to rollouts through Temporal, not by calling activity code");
}
