package dev.graft.policies;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries of the policies library, as {@code architecture.md} draws them. */
@AnalyzeClasses(
    packages = "dev.graft.policies",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule plainLibrary =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.policies..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "picocli..", "java.lang.foreign..")
          .because("policies is a plain library: no Spring, no CLI framework, no FFM");

  @ArchTest
  static final ArchRule parserOnly =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.policies..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("com.dylibso.chicory.runtime..", "com.dylibso.chicory.compiler..")
          .because(
              "the static validator uses Chicory's parser only, so the CLI can validate"
                  + " without a runtime");

  @ArchTest
  static final ArchRule everyRefusalIsAPolicyViolation =
      classes()
          .that()
          .resideInAPackage("dev.graft.policies..")
          .and()
          .areAssignableTo(RuntimeException.class)
          .should()
          .beAssignableTo(PolicyViolationException.class)
          .because("one unchecked root exception per library");
}
