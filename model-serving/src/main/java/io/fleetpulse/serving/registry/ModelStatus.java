package io.fleetpulse.serving.registry;

import io.fleetpulse.serving.ServingSerializable;
import java.util.List;
import java.util.Map;

/**
 * A model as the admin API shows it: the version serving, the one in shadow (or null), every
 * loaded version, the versions a rollback returns to, newest first, and the loaded versions the
 * node's callers cannot run (a profile's binding disagrees with them), each with why: those stay
 * loaded but are never served.
 */
public record ModelStatus(
    String name, String activeVersion, String shadowVersion, List<String> loadedVersions, List<String> rollbackVersions,
    Map<String, List<String>> refusedVersions)
    implements ServingSerializable {}
