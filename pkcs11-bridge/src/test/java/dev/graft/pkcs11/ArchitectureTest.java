package dev.graft.pkcs11;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries of the PKCS#11 bridge: native code in one package, one exception root. */
@AnalyzeClasses(packages = "dev.graft", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule ffmOnlyInTheBinding =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.graft.pkcs11.internal..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("java.lang.foreign..")
          .because("all native access goes through the Cryptoki binding in pkcs11.internal");

  @ArchTest
  static final ArchRule bindingIsPrivateToTheBridge =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.graft.pkcs11..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.graft.pkcs11.internal..")
          .because("higher layers use tokens through TokenSession, never the native binding");

  @ArchTest
  static final ArchRule noFrameworks =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.pkcs11..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "picocli..")
          .because("the bridge is a plain library: no Spring, no CLI framework");

  @ArchTest
  static final ArchRule everyFailureIsAPkcs11Exception =
      classes()
          .that()
          .resideInAPackage("dev.graft.pkcs11..")
          .and()
          .areAssignableTo(RuntimeException.class)
          .should()
          .beAssignableTo(Pkcs11Exception.class)
          .because("one unchecked root exception per library");
}
