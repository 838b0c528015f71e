/**
 * Real PKCS#11 tokens for tests: {@link dev.graft.pkcs11.testing.SoftwareTpm} (tpm2-pkcs11 on
 * swtpm, one per test class through {@link dev.graft.pkcs11.testing.SoftwareTpmToken}).
 *
 * <p>How a test reaches the token:
 *
 * <ul>
 *   <li>from a child process (pkcs11-tool, openssl, a launcher): {@code
 *       tpm.processBuilder(command)}, which carries {@code tpm.environment()};
 *   <li>from the module loaded into the test JVM: {@code
 *       NativeEnvironment.setAll(tpm.environment())} before {@code C_Initialize}, and {@code
 *       C_Finalize} before the class ends. tpm2-pkcs11 reads its store and TCTI when {@code
 *       C_Initialize} runs, so one loaded module serves class after class ({@code
 *       NativeEnvironmentTest} proves it with two tokens). The same goes for SoftHSM2's {@code
 *       SOFTHSM2_CONF}. No forked JVM per class and no fixed per-run paths are needed.
 * </ul>
 *
 * <p>The C environment belongs to the whole JVM: classes that set it must not run in parallel.
 */
@NullMarked
package dev.graft.pkcs11.testing;

import org.jspecify.annotations.NullMarked;
