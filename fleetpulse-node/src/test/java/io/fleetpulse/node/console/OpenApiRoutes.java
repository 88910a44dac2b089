package io.fleetpulse.node.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The routes {@code docs/openapi.yaml} documents: method and path template. */
record OpenApiRoutes(List<Route> routes) {

  record Route(String method, String template) {}

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  static OpenApiRoutes read() {
    try {
      JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(Path.of("../docs/openapi.yaml").toFile()).path("paths");
      List<Route> routes = new ArrayList<>();
      for (Iterator<String> names = paths.fieldNames(); names.hasNext(); ) {
        String template = names.next();
        for (Iterator<String> fields = paths.path(template).fieldNames(); fields.hasNext(); ) {
          String field = fields.next();
          if (METHODS.contains(field)) {
            routes.add(new Route(field.toUpperCase(Locale.ROOT), template));
          }
        }
      }
      return new OpenApiRoutes(List.copyOf(routes));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read docs/openapi.yaml", e);
    }
  }
}
