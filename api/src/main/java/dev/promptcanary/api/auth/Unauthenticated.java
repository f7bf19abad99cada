package dev.promptcanary.api.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the kinds of resource method that need no key: liveness, and the API's own description (the
 * OpenAPI spec and Swagger UI, which hold no data). It changes nothing at run time (a method
 * without {@code @RolesAllowed} gets no auth filter); it says the omission is on purpose, and the
 * role-matrix test refuses any method that has neither.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Unauthenticated {}
