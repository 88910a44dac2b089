package io.fleetpulse.serving.registry;

import io.fleetpulse.serving.ServingSerializable;
import java.util.List;
import java.util.Map;

/**
 * A model as one pool holds it: the version serving, the one in shadow (or null), every loaded
 * version, and the loaded versions the node's callers cannot run (a profile's binding disagrees
 * with them), each with why: those stay loaded but are never served. {@code decidedRevision} is
 * the revision of the cluster's decision the pool follows (0: none yet, the highest admitted
 * version serves); {@code notFollowing} says why the pool does not do what that decision says
 * (a version that cannot be loaded or admitted on this node), null when it does.
 */
public record ModelStatus(
    String name, String activeVersion, String shadowVersion, List<String> loadedVersions,
    Map<String, List<String>> refusedVersions, long decidedRevision, String notFollowing)
    implements ServingSerializable {

  public ModelStatus following(long revision, String problem) {
    return new ModelStatus(name, activeVersion, shadowVersion, loadedVersions, refusedVersions, revision, problem);
  }
}
