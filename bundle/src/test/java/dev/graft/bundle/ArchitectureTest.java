package dev.graft.bundle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries of the trust core, as {@code architecture.md} draws them. */
@AnalyzeClasses(packages = "dev.graft.bundle", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noFrameworksOrNativeAccess =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.bundle..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "picocli..", "java.lang.foreign..")
          .because("bundle is a plain library: no Spring, no CLI framework, no FFM");

  @ArchTest
  static final ArchRule trustRulesDoNoIo =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.bundle..")
          .and()
          .resideOutsideOfPackage("dev.graft.bundle.tufclient..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("java.net..", "java.nio.file..")
          .because(
              "trust decisions are pure functions of bytes, keys and a Clock; I/O lives in tufclient");

  @ArchTest
  static final ArchRule trustRulesDoNotDependOnTheirIo =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.bundle..")
          .and()
          .resideOutsideOfPackage("dev.graft.bundle.tufclient..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.graft.bundle.tufclient..")
          .because("the HTTP repository and file store plug into the rules, never the reverse");

  @ArchTest
  static final ArchRule everyRefusalIsATrustException =
      classes()
          .that()
          .resideInAPackage("dev.graft.bundle..")
          .and()
          .areAssignableTo(RuntimeException.class)
          .should()
          .beAssignableTo(TrustException.class)
          .because("one unchecked root exception per library, with rule-named subclasses");
}
