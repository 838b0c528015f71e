package dev.graft.transport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries of the transport module, as {@code architecture.md} draws them. */
@AnalyzeClasses(
    packages = "dev.graft.transport",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noFrameworks =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.transport..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "picocli..", "java.lang.foreign..")
          .because("transport is a plain library: no Spring, no CLI framework, no FFM");

  @ArchTest
  static final ArchRule pahoStaysInside =
      methods()
          .that()
          .arePublic()
          .and()
          .areDeclaredInClassesThat()
          .arePublic()
          .should()
          .notHaveRawReturnType(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "a Paho type",
                  (com.tngtech.archunit.core.domain.JavaClass c) ->
                      c.getPackageName().startsWith("org.eclipse.paho")))
          .andShould()
          .notHaveRawParameterTypes(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "a Paho type",
                  (java.util.List<com.tngtech.archunit.core.domain.JavaClass> types) ->
                      types.stream()
                          .anyMatch(c -> c.getPackageName().startsWith("org.eclipse.paho"))))
          .because("Paho is wrapped: nothing outside the module sees its types");
}
