package io.fleetpulse.control.access;

import io.fleetpulse.api.CborSerializable;
import java.util.Set;

/**
 * A built-in account of a person. {@code passwordHash} is a salted PBKDF2 hash ({@code
 * pbkdf2-sha256$...}); the password itself is never kept.
 */
public record Account(String name, String passwordHash, Set<ConsoleRole> roles, Set<String> sites, boolean disabled,
    String createdBy, long createdAtMillis, long updatedAtMillis) implements CborSerializable {

  public Account {
    roles = Set.copyOf(roles);
    sites = Set.copyOf(sites);
  }
}
