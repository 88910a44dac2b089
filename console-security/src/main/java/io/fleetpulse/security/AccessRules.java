package io.fleetpulse.security;

import io.fleetpulse.control.access.Permission;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every route of the node's HTTP API with who may use it: the one place that says so. A request
 * whose path no rule names is answered 404 before any route sees it, one whose method the path's
 * rules do not name 405: a route added without a rule is unreachable, not open. {@code
 * docs/openapi.yaml} lists the same routes, and a test holds the two together.
 */
public final class AccessRules {

  /** Who may use a route. */
  public enum Access {
    /** Anyone: health probes, the dashboard's page, sign-in, the broker's own key-checked questions. */
    PUBLIC,
    /** Any signed-in identity. */
    SIGNED_IN,
    /** An identity with the rule's permission. */
    PERMITTED
  }

  /** Which sites a route touches, and so what the identity's site scope must allow. */
  public enum Scope {
    /** None in particular: profiles, models, the identity itself. */
    NONE,
    /** The path's {@code {site}}. */
    SITE,
    /** The site of the path's {@code {deviceId}} (an unknown device is the route's to answer). */
    DEVICE,
    /** The query parameter {@code site}; without it, every site. */
    SITE_PARAMETER,
    /** The whole fleet: only an identity scoped to every site. */
    ALL_SITES
  }

  /**
   * @param action what the audit log calls a call of the route
   */
  public record Rule(String method, String template, Access access, Permission permission, Scope scope,
      String action) {

    List<String> segments() {
      return split(template);
    }
  }

  /** What the table says of a request. */
  public sealed interface Match {}

  public record Found(Rule rule, List<String> path) implements Match {

    /** The value of the template's {@code {name}} segment in the request's path. */
    public Optional<String> parameter(String name) {
      List<String> template = rule.segments();
      for (int i = 0; i < template.size(); i++) {
        if (template.get(i).equals("{" + name + "}")) {
          return Optional.of(path.get(i));
        }
      }
      return Optional.empty();
    }
  }

  /** The path is some rule's, not with this method. */
  public record WrongMethod(Set<String> allowed) implements Match {}

  public record NoRoute() implements Match {}

  private final List<Rule> rules;
  /** Each rule's template split into segments once: every request is matched against all of them. */
  private final List<List<String>> templates;

  public AccessRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
    this.templates = this.rules.stream().map(Rule::segments).toList();
  }

  public List<Rule> rules() {
    return rules;
  }

  /**
   * The rule of a request.
   *
   * @param path the raw (still percent-encoded) path: it is split first and each segment decoded
   *     after, as the routes' path matchers do, so that {@code %2D} or {@code %2F} in a segment
   *     names for the rule exactly what it names for the route
   */
  public Match match(String method, String path) {
    List<String> segments = decoded(split(path));
    Set<String> allowed = new LinkedHashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      if (matches(templates.get(i), segments)) {
        if (rule.method().equals(method)) {
          return new Found(rule, segments);
        }
        allowed.add(rule.method());
      }
    }
    return allowed.isEmpty() ? new NoRoute() : new WrongMethod(allowed);
  }

  private static boolean matches(List<String> template, List<String> path) {
    if (template.size() != path.size()) {
      return false;
    }
    for (int i = 0; i < template.size(); i++) {
      String part = template.get(i);
      if (!(part.startsWith("{") && part.endsWith("}") && !path.get(i).isEmpty()) && !part.equals(path.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static List<String> decoded(List<String> segments) {
    List<String> decoded = new ArrayList<>(segments.size());
    for (String segment : segments) {
      decoded.add(segment.indexOf('%') < 0 ? segment : percentDecoded(segment));
    }
    return decoded;
  }

  /** {@code %XX} sequences as UTF-8 bytes; a malformed one is kept as it is (it names no route then). */
  private static String percentDecoded(String segment) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(segment.length());
    int i = 0;
    while (i < segment.length()) {
      int c = segment.codePointAt(i);
      if (c == '%' && i + 2 < segment.length()
          && Character.digit(segment.charAt(i + 1), 16) >= 0 && Character.digit(segment.charAt(i + 2), 16) >= 0) {
        bytes.write(Character.digit(segment.charAt(i + 1), 16) * 16 + Character.digit(segment.charAt(i + 2), 16));
        i += 3;
      } else {
        byte[] raw = new String(Character.toChars(c)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        bytes.write(raw, 0, raw.length);
        i += Character.charCount(c);
      }
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<String> split(String path) {
    List<String> segments = new ArrayList<>();
    for (String part : path.split("/", -1)) {
      segments.add(part);
    }
    if (!segments.isEmpty() && segments.get(0).isEmpty()) {
      segments.remove(0);
    }
    if (segments.size() > 1 && segments.get(segments.size() - 1).isEmpty()) {
      segments.remove(segments.size() - 1);
    }
    return segments;
  }

  /** The node's routes. */
  public static AccessRules node() {
    List<Rule> r = new ArrayList<>();
    Permission view = Permission.VIEW;
    Permission admin = Permission.ADMINISTER;
    pub(r, "GET", "/", "dashboard");
    pub(r, "GET", "/health/live", "health");
    pub(r, "GET", "/health/ready", "health");
    pub(r, "POST", "/api/session", "session.open");
    pub(r, "POST", "/api/mqtt/authenticate", "broker.authenticate");
    pub(r, "POST", "/api/mqtt/authorize", "broker.authorize");
    r.add(new Rule("GET", "/api/me", Access.SIGNED_IN, null, Scope.NONE, "me"));
    r.add(new Rule("POST", "/api/me/password", Access.SIGNED_IN, null, Scope.NONE, "account.password"));
    r.add(new Rule("DELETE", "/api/session", Access.SIGNED_IN, null, Scope.NONE, "session.close"));
    rule(r, "GET", "/metrics", view, Scope.ALL_SITES, "metrics");
    rule(r, "GET", "/api/fleet/summary", view, Scope.ALL_SITES, "fleet.summary");
    rule(r, "GET", "/api/cluster", view, Scope.ALL_SITES, "cluster");
    rule(r, "GET", "/api/profiles", view, Scope.NONE, "profiles");
    rule(r, "GET", "/api/devices", view, Scope.ALL_SITES, "device.list");
    rule(r, "POST", "/api/devices/bulk", admin, Scope.ALL_SITES, "device.bulk");
    rule(r, "GET", "/api/devices/{deviceId}", view, Scope.DEVICE, "device.get");
    rule(r, "PUT", "/api/devices/{deviceId}", admin, Scope.ALL_SITES, "device.register");
    rule(r, "POST", "/api/devices/{deviceId}/decommission", admin, Scope.ALL_SITES, "device.decommission");
    rule(r, "GET", "/api/devices/{deviceId}/history", view, Scope.DEVICE, "device.history");
    rule(r, "POST", "/api/devices/{deviceId}/credentials", admin, Scope.ALL_SITES, "device.credential-issue");
    rule(r, "DELETE", "/api/devices/{deviceId}/credentials", admin, Scope.ALL_SITES, "device.credential-revoke");
    rule(r, "GET", "/api/devices/{deviceId}/alerts", view, Scope.DEVICE, "alert.list");
    rule(r, "POST", "/api/devices/{deviceId}/alerts/{alertId}/acknowledge", Permission.OPERATE, Scope.DEVICE,
        "alert.acknowledge");
    rule(r, "POST", "/api/devices/{deviceId}/alerts/{alertId}/clear", Permission.OPERATE, Scope.DEVICE, "alert.clear");
    rule(r, "GET", "/api/sites/{site}/alerts", view, Scope.SITE, "alert.site-list");
    rule(r, "GET", "/api/sites/{site}/alerts/summary", view, Scope.SITE, "alert.site-summary");
    rule(r, "GET", "/api/sites/{site}/alerts/groups", view, Scope.SITE, "alert.site-groups");
    rule(r, "POST", "/api/sites/{site}/alerts/acknowledge", Permission.OPERATE, Scope.SITE, "alert.bulk-acknowledge");
    rule(r, "POST", "/api/sites/{site}/alerts/clear", Permission.OPERATE, Scope.SITE, "alert.bulk-clear");
    rule(r, "GET", "/api/alerts/stream", view, Scope.SITE_PARAMETER, "alert.stream");
    rule(r, "GET", "/api/models", view, Scope.NONE, "model.list");
    rule(r, "GET", "/api/models/{model}/history", view, Scope.NONE, "model.history");
    rule(r, "POST", "/api/models/{model}/versions/{version}/load", admin, Scope.NONE, "model.load");
    rule(r, "POST", "/api/models/{model}/versions/{version}/shadow", admin, Scope.NONE, "model.shadow");
    rule(r, "DELETE", "/api/models/{model}/shadow", admin, Scope.NONE, "model.shadow-stop");
    rule(r, "POST", "/api/models/{model}/versions/{version}/promote", admin, Scope.NONE, "model.promote");
    rule(r, "POST", "/api/models/{model}/rollback", admin, Scope.NONE, "model.rollback");
    rule(r, "GET", "/api/data", Permission.QUERY, Scope.NONE, "data.index");
    rule(r, "GET", "/api/data/devices/{deviceId}/{resource}", Permission.QUERY, Scope.DEVICE, "data.device");
    rule(r, "GET", "/api/data/sites/{site}/{resource}", Permission.QUERY, Scope.SITE, "data.site");
    rule(r, "GET", "/api/accounts", admin, Scope.NONE, "account.list");
    rule(r, "POST", "/api/accounts", admin, Scope.NONE, "account.create");
    rule(r, "GET", "/api/accounts/{name}", admin, Scope.NONE, "account.get");
    rule(r, "PUT", "/api/accounts/{name}", admin, Scope.NONE, "account.change");
    rule(r, "POST", "/api/accounts/{name}/password", admin, Scope.NONE, "account.password-reset");
    rule(r, "GET", "/api/tokens", admin, Scope.NONE, "token.list");
    rule(r, "POST", "/api/tokens", admin, Scope.NONE, "token.create");
    rule(r, "DELETE", "/api/tokens/{tokenId}", admin, Scope.NONE, "token.revoke");
    rule(r, "GET", "/api/audit", admin, Scope.NONE, "audit.list");
    return new AccessRules(r);
  }

  private static void pub(List<Rule> rules, String method, String template, String action) {
    rules.add(new Rule(method, template, Access.PUBLIC, null, Scope.NONE, action));
  }

  private static void rule(List<Rule> rules, String method, String template, Permission permission, Scope scope,
      String action) {
    rules.add(new Rule(method, template, Access.PERMITTED, permission, scope, action));
  }
}
