package io.fleetpulse.serving.registry;

import io.fleetpulse.serving.ServingSerializable;
import java.util.List;

/**
 * A model as the admin API shows it: the version serving, the one in shadow (or null), every
 * loaded version and the versions a rollback returns to, newest first.
 */
public record ModelStatus(
    String name, String activeVersion, String shadowVersion, List<String> loadedVersions, List<String> rollbackVersions)
    implements ServingSerializable {}
