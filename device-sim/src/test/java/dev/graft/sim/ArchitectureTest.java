package dev.graft.sim;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries inside device-sim. */
@AnalyzeClasses(packages = "dev.graft.sim", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule onlyTheCliUsesPicocli =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.graft.sim.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("picocli..", "org.springframework..")
          .because("the site is a library the end-to-end tests use; picocli is the CLI's alone");

  @ArchTest
  static final ArchRule thePlantKnowsNoProtocol =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.sim.plant..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "com.digitalpetri..", "io.netty..", "org.eclipse.californium..", "dev.graft.sim")
          .because("the model runs without sockets so tests can drive it directly");

  @ArchTest
  static final ArchRule noGatewayYet =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.sim..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.graft.gateway..")
          .because("the simulator stands in for the field; it must not lean on the gateway");
}
