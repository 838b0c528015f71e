package dev.graft.demo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The demo composes the modules' public APIs, as the update agent will: no protocol library and no
 * module internals of its own.
 */
@AnalyzeClasses(packages = "dev.graft.demo", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule protocolsOnlyThroughTheModules =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.demo..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.eclipse.paho..",
              "com.digitalpetri..",
              "org.eclipse.californium..",
              "io.netty..",
              "com.dylibso.chicory..")
          .because(
              "MQTT, Modbus, CoAP and WebAssembly stay behind transport, gateway/core and"
                  + " device-sim");

  @ArchTest
  static final ArchRule noInternals =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.demo..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.graft.pkcs11.internal..", "dev.graft.signer.repo..")
          .because("the demo uses graft as a release engineer does: through its command line");

  @ArchTest
  static final ArchRule gatewayDecisionsAreTheAgents =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.demo..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("dev.graft.gateway.scan.ScanLoop")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("dev.graft.gateway.runtime.ControlLogic")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("dev.graft.gateway.field.FieldSite")
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.graft.bundle.tuf..", "dev.graft.policies..")
          .because(
              "the demo drives the update agent; verifying, loading and swapping are the agent's");
}
