package dev.graft.tufcli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries of the conformance client, as {@code architecture.md} draws them. */
@AnalyzeClasses(packages = "dev.graft.tufcli", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule usesOnlyTheTrustCore =
      classes()
          .that()
          .resideInAPackage("dev.graft.tufcli..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "dev.graft.tufcli..", "dev.graft.bundle..", "java..", "org.jspecify..")
          .because("the conformance client is the trust core plus a command line, nothing else");
}
