package io.fleetpulse.control.access;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/** A site scope: the sites an identity may act on; {@value #ALL} stands for every site. */
public final class Sites {

  public static final String ALL = "*";

  private Sites() {}

  public static boolean allows(Set<String> scope, String site) {
    return scope.contains(ALL) || scope.contains(site);
  }

  public static boolean all(Set<String> scope) {
    return scope.contains(ALL);
  }

  /** A scope as given: each name stripped, blank ones refused, at least one. */
  public static Set<String> of(Collection<String> sites) {
    if (sites == null || sites.isEmpty()) {
      throw new IllegalArgumentException("sites must name at least one site, or \"*\" for all");
    }
    TreeSet<String> scope = new TreeSet<>();
    for (String site : sites) {
      if (site == null || site.isBlank() || site.length() > 100) {
        throw new IllegalArgumentException("a site is 1 to 100 characters");
      }
      scope.add(site.strip());
    }
    return scope.contains(ALL) ? Set.of(ALL) : Set.copyOf(scope);
  }
}
