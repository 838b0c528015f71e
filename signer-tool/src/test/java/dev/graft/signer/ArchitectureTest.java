package dev.graft.signer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The boundaries of the signer tool: repository logic is a library that the command classes use, so
 * it can be reused (a publish service, tests) without picocli; native code stays in pkcs11-bridge.
 */
@AnalyzeClasses(packages = "dev.graft.signer", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule libraryCodeHasNoCliFramework =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.signer.repo..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("picocli..", "dev.graft.signer.cli..")
          .because("repository logic is a library; only command classes know about picocli")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule keyLibraryHasNoCliFramework =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.signer.keys..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("picocli..", "dev.graft.signer.cli..")
          .because("key files, backups and requests are a library; only commands know picocli");

  @ArchTest
  static final ArchRule noNativeAccess =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.signer..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("java.lang.foreign..", "dev.graft.pkcs11.internal..")
          .because("tokens are reached through pkcs11-bridge's public API only");

  @ArchTest
  static final ArchRule noSpring =
      noClasses()
          .that()
          .resideInAPackage("dev.graft.signer..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..")
          .because("a command-line tool starts fast and carries no container");
}
