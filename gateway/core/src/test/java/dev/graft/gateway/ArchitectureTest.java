package dev.graft.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries of gateway/core, as {@code architecture.md} draws them. */
@AnalyzeClasses(
    packages = "dev.graft.gateway",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule plainLibrary =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.gateway..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "picocli..", "java.lang.foreign..")
          .because("gateway/core is a plain library: Spring lives in gateway/service only");

  @ArchTest
  static final ArchRule noInternalsOfOtherModules =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.gateway..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.graft.pkcs11.internal..")
          .because("…internal packages are not imported across modules");

  @ArchTest
  static final ArchRule protocolLibrariesOnlyInField =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.graft.gateway.field..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("com.digitalpetri..", "org.eclipse.californium..", "io.netty..")
          .because("field protocols stay behind FieldPort: the scan loop never touches a device");
}
