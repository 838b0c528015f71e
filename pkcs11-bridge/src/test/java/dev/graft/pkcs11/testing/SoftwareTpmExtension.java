package dev.graft.pkcs11.testing;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the {@link SoftwareTpm} that {@link SoftwareTpmToken} asks for, one per test class. With a
 * tool missing, every test of the class is skipped on its own, with the reason, so the skips show
 * in the test counts rather than vanishing with the class.
 */
public final class SoftwareTpmExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SoftwareTpmExtension.class);
  private static final String SKIP_REASON = "skip reason";

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    SoftwareTpmToken token = testClass.getAnnotation(SoftwareTpmToken.class);
    if (token == null) {
      throw new IllegalStateException(
          testClass.getName() + " uses SoftwareTpmExtension without @SoftwareTpmToken");
    }
    Optional<String> unavailable = Tools.unavailable();
    if (unavailable.isPresent()) {
      Tools.announce(unavailable.get());
      context.getStore(NAMESPACE).put(SKIP_REASON, unavailable.get());
      return;
    }
    SoftwareTpm.Builder builder =
        SoftwareTpm.builder()
            .tokenLabel(token.label())
            .soPin(token.soPin())
            .userPin(token.userPin());
    if (!token.ecdsaKey().isEmpty()) {
      builder.ecdsaKey(token.ecdsaKey());
    }
    context.getStore(NAMESPACE).put(testClass, builder.start());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    String reason = context.getStore(NAMESPACE).get(SKIP_REASON, String.class);
    if (reason != null) {
      Assumptions.abort(reason);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    SoftwareTpm tpm =
        context.getStore(NAMESPACE).remove(context.getRequiredTestClass(), SoftwareTpm.class);
    if (tpm != null) {
      tpm.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SoftwareTpm.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    SoftwareTpm tpm =
        context.getStore(NAMESPACE).get(context.getRequiredTestClass(), SoftwareTpm.class);
    if (tpm == null) {
      throw new ParameterResolutionException(
          "no SoftwareTpm for " + context.getRequiredTestClass().getName() + " (did it start?)");
    }
    return tpm;
  }
}
