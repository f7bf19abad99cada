package dev.promptcanary.api.openapi;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * The endpoints of the Jersey resources an app registered, read from their annotations: what the
 * OpenAPI spec adds its roles to.
 */
public final class ResourceEndpoints {
  private ResourceEndpoints() {}

  /**
   * One resource method: its HTTP verb, its path as OpenAPI writes it (a template's regular
   * expression dropped: {@code /ui/{rest: .+}} is {@code /ui/{rest}}), its path as Jersey's
   * template ({@code /ui/{rest: .+}}), and the least role it needs (null for none).
   */
  public record Endpoint(String verb, String path, String template, String role, Method method) {}

  /** The {@code @Path} classes registered with {@code config}, as classes or as instances. */
  public static Set<Class<?>> resourceClasses(ResourceConfig config) {
    Set<Class<?>> classes = new LinkedHashSet<>();
    config.getClasses().stream()
        .filter(c -> c.isAnnotationPresent(Path.class))
        .forEach(classes::add);
    config.getSingletons().stream()
        .map(Object::getClass)
        .filter(c -> c.isAnnotationPresent(Path.class))
        .forEach(classes::add);
    return classes;
  }

  public static List<Endpoint> of(Collection<Class<?>> resources) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (Class<?> resource : resources) {
      String base = resource.getAnnotation(Path.class).value();
      for (Method method : resource.getMethods()) {
        String verb = verb(method);
        if (verb == null) {
          continue;
        }
        Path sub = method.getAnnotation(Path.class);
        String template = templatePath(base, sub == null ? "" : sub.value());
        RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
        endpoints.add(
            new Endpoint(
                verb,
                withoutExpressions(template),
                template,
                roles == null || roles.value().length == 0 ? null : roles.value()[0],
                method));
      }
    }
    return endpoints;
  }

  /** {@code /v1/rollouts} + {@code /{id}/approve}, templates without their expressions. */
  public static String openApiPath(String base, String sub) {
    return withoutExpressions(templatePath(base, sub));
  }

  /** {@code /ui} + {@code /{rest: .+}}: one slash between the parts, none at the end. */
  public static String templatePath(String base, String sub) {
    String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path;
  }

  private static String withoutExpressions(String template) {
    return template.replaceAll("\\{\\s*([\\w.-]+)\\s*:[^}]*}", "{$1}");
  }

  private static String verb(Method method) {
    if (method.isAnnotationPresent(GET.class)) {
      return "GET";
    }
    if (method.isAnnotationPresent(POST.class)) {
      return "POST";
    }
    if (method.isAnnotationPresent(PUT.class)) {
      return "PUT";
    }
    if (method.isAnnotationPresent(DELETE.class)) {
      return "DELETE";
    }
    if (method.isAnnotationPresent(PATCH.class)) {
      return "PATCH";
    }
    if (method.isAnnotationPresent(HEAD.class)) {
      return "HEAD";
    }
    if (method.isAnnotationPresent(OPTIONS.class)) {
      return "OPTIONS";
    }
    return null;
  }
}
