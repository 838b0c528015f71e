package dev.graft.pkcs11.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class one {@link SoftwareTpm}, started before its first test and closed after its
 * last; tests and {@code @BeforeAll} methods receive it as a {@code SoftwareTpm} parameter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(SoftwareTpmExtension.class)
public @interface SoftwareTpmToken {
  String label() default "graft-gw";

  String soPin() default "so-pin-0000";

  String userPin() default "user-pin-0000";

  /** Label of an ECDSA P-256 key to make at start; empty for none. */
  String ecdsaKey() default "";
}
