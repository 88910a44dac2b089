package io.fleetpulse.node.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The routes {@code docs/openapi.yaml} documents: method and path template, read from its
 * {@code paths} section as the file lays it out (a path at two spaces, its operations at four).
 */
public record OpenApiRoutes(List<Route> routes) {

  public record Route(String method, String template) {}

  private static final Pattern PATH = Pattern.compile("^  (/\\S*):\\s*$");
  private static final Pattern OPERATION = Pattern.compile("^    (get|put|post|delete|patch):");

  public static OpenApiRoutes read() {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("../docs/openapi.yaml"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read docs/openapi.yaml", e);
    }
    List<Route> routes = new ArrayList<>();
    boolean inPaths = false;
    String template = null;
    for (String line : lines) {
      if (!line.startsWith(" ") && !line.isBlank()) {
        inPaths = line.equals("paths:");
        continue;
      }
      if (!inPaths) {
        continue;
      }
      Matcher path = PATH.matcher(line);
      if (path.matches()) {
        template = path.group(1);
        continue;
      }
      Matcher operation = OPERATION.matcher(line);
      if (operation.find() && template != null) {
        routes.add(new Route(operation.group(1).toUpperCase(Locale.ROOT), template));
      }
    }
    return new OpenApiRoutes(List.copyOf(routes));
  }
}
